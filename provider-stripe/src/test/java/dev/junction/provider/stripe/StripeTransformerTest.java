package dev.junction.provider.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.model.Contact;
import dev.junction.core.model.Invoice;
import dev.junction.core.model.Payment;
import dev.junction.core.model.Subscription;
import dev.junction.core.model.UnifiedRecord;
import dev.junction.core.spi.RemoteRecord;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The transformer on Stripe's published payloads (fixtures/SOURCES.md). */
class StripeTransformerTest {

    private final StripeTransformer transformer = new StripeTransformer();

    private Optional<UnifiedRecord> transform(String entity, JsonNode json) {
        return transformer.transform(RemoteRecord.of(entity, json.path("id").asText(), StripeConnector.updatedAt(json), json));
    }

    private UnifiedRecord fixture(String entity, String file) {
        return transform(entity, Fixtures.json(file)).orElseThrow();
    }

    @Test
    void theDocsCustomerBecomesAContact() {
        Contact contact = (Contact) fixture("customers", "docs_customer.json");

        assertThat(contact.externalId()).isEqualTo("cus_NffrFeUfNV2Hib");
        assertThat(contact.name()).isEqualTo("Jenny Rosen");
        assertThat(contact.email()).isEqualTo("jennyrosen@example.com");
        assertThat(contact.phone()).isNull();
        assertThat(contact.createdAt()).isEqualTo(Instant.ofEpochSecond(1680893993));
        assertThat(contact.updatedAt()).isEqualTo(Instant.ofEpochSecond(1680893993));
    }

    @Test
    void stripeMocksCustomerAndADeletedCustomerAreReadable() {
        Contact contact = (Contact) fixture("customers", "customer.json");
        Contact deleted = (Contact) fixture("customers", "deleted_customer.json");

        assertThat(contact.externalId()).isEqualTo("cus_QXg1o8vcGmoR32");
        assertThat(contact.name()).isNull();
        assertThat(deleted.externalId()).isEqualTo("cus_QXg1o8vcGmoR32");
    }

    @Test
    void aSubscriptionKeepsItsItemsAndReadsThePeriodFromItsItems() {
        Subscription subscription = (Subscription) fixture("subscriptions", "subscription.json");

        assertThat(subscription.externalId()).isEqualTo("sub_1Pgc6rB7WZ01zgkWNy0Cn5nw");
        assertThat(subscription.contactId()).isEqualTo("cus_QXg1o8vcGmoR32");
        assertThat(subscription.status()).isEqualTo("active");
        assertThat(subscription.currency()).isEqualTo("USD");
        assertThat(subscription.cancelAtPeriodEnd()).isTrue();
        assertThat(subscription.trialEnd()).isEqualTo(Instant.ofEpochSecond(1234567890));
        assertThat(subscription.currentPeriodStart()).isEqualTo(Instant.ofEpochSecond(1896570518));
        assertThat(subscription.currentPeriodEnd()).isEqualTo(Instant.ofEpochSecond(976287773));
        assertThat(subscription.items()).singleElement().satisfies(item -> {
            assertThat(item.externalId()).isEqualTo("si_QXhVnC2h0Jczwc");
            assertThat(item.priceId()).isEqualTo("price_1PgafmB7WZ01zgkW6dKueIc5");
            assertThat(item.productId()).isEqualTo("prod_QXg1hqf4jFNsqG");
            assertThat(item.quantity()).isEqualTo(1);
            assertThat(item.unitAmount()).isEqualByComparingTo("20.00");
            assertThat(item.interval()).isEqualTo("month");
        });
    }

    @Test
    void anOlderSubscriptionWithItsOwnPeriodUsesIt() {
        ObjectNode json = (ObjectNode) Fixtures.json("subscription.json");
        json.put("current_period_start", 1679609767L).put("current_period_end", 1682288167L);

        Subscription subscription = (Subscription) transform("subscriptions", json).orElseThrow();

        assertThat(subscription.currentPeriodStart()).isEqualTo(Instant.ofEpochSecond(1679609767L));
        assertThat(subscription.currentPeriodEnd()).isEqualTo(Instant.ofEpochSecond(1682288167L));
    }

    @Test
    void anInvoiceHasItsAmountsInMajorUnits() {
        Invoice invoice = (Invoice) fixture("invoices", "invoice.json");

        assertThat(invoice.externalId()).isEqualTo("in_1Pgc6tB7WZ01zgkWu9fdqL6I");
        assertThat(invoice.status()).isEqualTo("draft");
        assertThat(invoice.total()).isEqualByComparingTo("10.00");
        assertThat(invoice.balance()).isEqualByComparingTo("10.00");
        assertThat(invoice.currency()).isEqualTo("USD");
        assertThat(invoice.contactId()).isEqualTo("cus_QXg1o8vcGmoR32");
        assertThat(invoice.issuedOn()).isEqualTo(LocalDate.of(2009, 2, 13));
        assertThat(invoice.dueOn()).isEqualTo(LocalDate.of(2009, 2, 13));
    }

    @Test
    void chargesPaymentIntentsAndRefundsArePayments() {
        Payment charge = (Payment) fixture("charges", "charge.json");
        Payment intent = (Payment) fixture("payment_intents", "payment_intent.json");
        Payment refund = (Payment) fixture("refunds", "refund.json");

        assertThat(charge.kind()).isEqualTo("charge");
        assertThat(charge.amount()).isEqualByComparingTo("1.00");
        assertThat(charge.status()).isEqualTo("succeeded");
        assertThat(charge.paidAt()).isEqualTo(Instant.ofEpochSecond(1234567890));
        assertThat(intent.kind()).isEqualTo("payment_intent");
        assertThat(intent.amount()).isEqualByComparingTo("10.99");
        assertThat(intent.status()).isEqualTo("requires_payment_method");
        assertThat(intent.paidAt()).isNull();
        assertThat(refund.kind()).isEqualTo("refund");
        assertThat(refund.amount()).isEqualByComparingTo("1.00");
    }

    @Test
    void productsPricesAndEventsAreKeptRawOnly() {
        assertThat(transform("products", Fixtures.json("product.json"))).isEmpty();
        assertThat(transform("prices", Fixtures.json("price.json"))).isEmpty();
        assertThat(transform("events", Fixtures.json("event.json"))).isEmpty();
    }

    @Test
    void zeroAndThreeDecimalCurrenciesAreScaledByTheirOwnRules() {
        assertThat(StripeTransformer.amount(500, "jpy")).isEqualByComparingTo(new BigDecimal("500"));
        assertThat(StripeTransformer.amount(1234, "usd")).isEqualByComparingTo(new BigDecimal("12.34"));
        assertThat(StripeTransformer.amount(12340, "kwd")).isEqualByComparingTo(new BigDecimal("12.340"));
    }

    @Test
    void aFieldOfTheWrongTypeOrAnotherObjectIsAnUnexpectedPayload() {
        ObjectNode badEmail = (ObjectNode) Fixtures.json("docs_customer.json");
        badEmail.put("email", 42);
        ObjectNode badCreated = (ObjectNode) Fixtures.json("docs_customer.json");
        badCreated.put("created", "yesterday");

        assertThatThrownBy(() -> transform("customers", badEmail)).isInstanceOf(JunctionException.class)
                .extracting("kind").isEqualTo(ErrorKind.UNEXPECTED_PAYLOAD);
        assertThatThrownBy(() -> transform("customers", badCreated)).isInstanceOf(JunctionException.class)
                .extracting("kind").isEqualTo(ErrorKind.UNEXPECTED_PAYLOAD);
        assertThatThrownBy(() -> transform("subscriptions", Fixtures.json("customer.json"))).isInstanceOf(JunctionException.class)
                .extracting("kind").isEqualTo(ErrorKind.UNEXPECTED_PAYLOAD);
    }
}
