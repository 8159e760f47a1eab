package dev.junction.provider.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.http.HttpCall;
import dev.junction.core.http.HttpResult;
import dev.junction.core.model.Payment;
import dev.junction.core.spi.RemoteRecord;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Published Stripe wire shapes read the way the connector reads them (fixtures/SOURCES.md). */
class StripeWireShapesTest {

    private static java.util.Optional<String> next(String fixture) {
        byte[] body = Fixtures.bytes(fixture);
        return StripeConnector.PAGING.nextCursor(HttpCall.get("pageablemodels"), HttpResult.of(200, Map.of(), body), Fixtures.json(fixture));
    }

    @Test
    void aListPageThatSaysHasMoreContinuesAfterItsLastIdAndTheLastPageEnds() {
        assertThat(next("list_page1_has_more_true.json")).hasValue("pm_126");
        assertThat(next("list_page2_has_more_false.json")).isEmpty();
        assertThat(StripeConnector.PAGING.request(HttpCall.get("customers").withQuery("limit", "100"), java.util.Optional.of("pm_126"))
                .queryValue("starting_after")).hasValue("pm_126");
    }

    @Test
    void anOlderApiVersionsRefundedChargeFromAnEventIsARefundedPayment() {
        JsonNode charge = Fixtures.json("event_data_with_previous_attributes.json").path("object");

        Payment payment = (Payment) new StripeTransformer().transform(RemoteRecord.of("charges", charge.path("id").asText(),
                StripeConnector.updatedAt(charge), charge)).orElseThrow();

        assertThat(payment.externalId()).isEqualTo("ch_1EqUp1gsDwETBV");
        assertThat(payment.status()).isEqualTo("refunded");
        assertThat(payment.amount()).isEqualByComparingTo("192.00");
        assertThat(payment.contactId()).isEqualTo("cus_1EqUMhiOJLbXyi");
    }
}
