package dev.junction.provider.ascora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.ActionResult;
import dev.junction.core.NewConnection;
import dev.junction.core.SyncRequest;
import dev.junction.core.SyncRun;
import dev.junction.core.SyncStatus;
import dev.junction.core.ConnectionStatus;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.provider.ascora.sandbox.AscoraSandbox;
import dev.junction.testkit.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The three Ascora actions, input checked before any request, and a wrong API key as NEEDS_REAUTH. */
class AscoraActionsTest {

    private static final String TENANT = AscoraHubFixture.TENANT;
    private AscoraHubFixture fixture;

    @AfterEach
    void stop() {
        if (fixture != null) fixture.close();
    }

    private void start() {
        fixture = new AscoraHubFixture(TestDatabase.Kind.EMBEDDED, "AscoraActionsTest",
                AscoraSandbox.builder().withCustomers(3).withJobs(2).withInvoices(2));
    }

    private static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    @Test
    void createsACustomerAJobAndRecordsAPayment() {
        start();
        String connection = fixture.connection.id();

        ActionResult customer = fixture.hub.runAction(TENANT, connection, AscoraActions.CREATE_CUSTOMER,
                object().put("companyName", "Bondi Electrical").put("emailAddress", "office@bondi.example"), "c-1");
        String customerId = customer.result().path("customerId").asText();
        ObjectNode job = object().put("jobName", "Switchboard").put("pricingMethod", "FIXED-PRICE");
        job.putObject("siteCustomer").put("id", customerId);
        ActionResult created = fixture.hub.runAction(TENANT, connection, AscoraActions.CREATE_JOB, job, "j-1");
        String invoiceNumber = fixture.sandbox.record("invoices", fixture.sandbox.liveIds("invoices").iterator().next())
                .orElseThrow().path("invoiceNumber").asText();
        ActionResult payment = fixture.hub.runAction(TENANT, connection, AscoraActions.RECORD_PAYMENT, object()
                .put("invoiceNumber", invoiceNumber).put("paymentAmount", 40).put("paymentDate", "2026-03-01").put("paymentMethod", "EFT"), "p-1");

        assertThat(fixture.sandbox.liveIds("customers")).contains(customerId);
        assertThat(created.result().path("siteCustomer").path("id").asText()).isEqualTo(customerId);
        assertThat(payment.result().path("success").asBoolean()).isTrue();
        assertThat(fixture.sandbox.liveIds("payments")).contains(payment.result().path("paymentId").asText());
    }

    @Test
    void invalidInputIsRefusedBeforeAnyRequest() {
        start();
        String connection = fixture.connection.id();
        long before = fixture.sandbox.requestLog().totalCount();
        ObjectNode jobWithoutCustomer = object().put("jobName", "x");
        ObjectNode badPricing = object().put("pricingMethod", "HOURLY");
        badPricing.putObject("siteCustomer").put("id", "abc");

        for (var call : List.of(
                new Object[] {AscoraActions.CREATE_CUSTOMER, object().put("emailAddress", "a@b.example")},
                new Object[] {AscoraActions.CREATE_CUSTOMER, object().put("companyName", "X").put("emailAddress", "nope")},
                new Object[] {AscoraActions.CREATE_JOB, jobWithoutCustomer},
                new Object[] {AscoraActions.CREATE_JOB, badPricing},
                new Object[] {AscoraActions.RECORD_PAYMENT, object().put("invoiceNumber", "INV1").put("paymentAmount", -5)
                        .put("paymentDate", "2026-03-01").put("paymentMethod", "EFT")},
                new Object[] {AscoraActions.RECORD_PAYMENT, object().put("invoiceNumber", "INV1").put("paymentAmount", 5)
                        .put("paymentDate", "yesterday").put("paymentMethod", "EFT")})) {
            assertThatThrownBy(() -> fixture.hub.runAction(TENANT, connection, (String) call[0], (ObjectNode) call[1], "bad-" + call[1].hashCode()))
                    .as(call[0] + " " + call[1]).isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.INVALID_INPUT);
        }
        assertThat(fixture.sandbox.requestLog().totalCount()).isEqualTo(before);
    }

    @Test
    void ascoraRefusingAWriteIsAnInvalidRequest() {
        start();
        assertThatThrownBy(() -> fixture.hub.runAction(TENANT, fixture.connection.id(), AscoraActions.RECORD_PAYMENT, object()
                .put("invoiceNumber", "INV-NONE").put("paymentAmount", 5).put("paymentDate", "2026-03-01").put("paymentMethod", "EFT"), "p-x"))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.INVALID_REQUEST);
    }

    @Test
    void aWrongApiKeyNeedsReauthorisation() {
        start();
        var wrong = fixture.hub.createConnection(NewConnection.of(TENANT, AscoraProvider.ID)
                .withSetting(AscoraProvider.API_KEY, "not-the-right-key")
                .withSetting(AscoraProvider.BASE_URL, fixture.sandbox.baseUrl()));

        SyncRun run = fixture.hub.sync(TENANT, wrong.id(), SyncRequest.full().only("customers"));

        assertThat(run.status()).isEqualTo(SyncStatus.FAILED);
        assertThat(fixture.hub.getConnection(TENANT, wrong.id()).status()).isEqualTo(ConnectionStatus.NEEDS_REAUTH);
        assertThatThrownBy(() -> fixture.hub.runAction(TENANT, wrong.id(), AscoraActions.CREATE_CUSTOMER,
                object().put("companyName", "X"), "c-2")).isInstanceOf(JunctionException.class)
                .extracting("kind").isEqualTo(ErrorKind.NEEDS_REAUTH);
    }
}
