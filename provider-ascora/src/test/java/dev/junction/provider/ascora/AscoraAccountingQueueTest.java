package dev.junction.provider.ascora;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.core.ChangeEvent;
import dev.junction.core.SyncRequest;
import dev.junction.core.SyncRun;
import dev.junction.core.SyncStatus;
import dev.junction.core.model.Invoice;
import dev.junction.provider.ascora.sandbox.AscoraSandbox;
import dev.junction.sandbox.Fault;
import dev.junction.testkit.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Invoices and payments come from Ascora's accounting queues and are marked as sent only after Junction committed
 * them: the acknowledgement of a page is sent at the start of the next fetch.
 */
class AscoraAccountingQueueTest {

    private AscoraHubFixture fixture;

    @AfterEach
    void stop() {
        if (fixture != null) fixture.close();
    }

    private void start() {
        fixture = new AscoraHubFixture(TestDatabase.Kind.EMBEDDED, "AscoraAccountingQueueTest",
                AscoraSandbox.builder().withCustomers(4).withJobs(4).withInvoices(6));
    }

    @Test
    void queueItemsAreMarkedAsSentOnlyAfterTheyAreStored() {
        start();
        // Given: 6 unsent invoices and 3 unsent payments
        assertThat(fixture.sandbox.queued("invoices")).hasSize(6);

        // When
        SyncRun run = fixture.sync(SyncRequest.full().only("customers", "jobs", "invoices", "payments"));

        // Then: all stored, all acknowledged, and each acknowledgement came after the read that delivered it
        assertThat(run.status()).as(run.toString()).isEqualTo(SyncStatus.SUCCEEDED);
        assertThat(fixture.stored("invoices")).isEqualTo(fixture.sandbox.liveIds("invoices"));
        assertThat(fixture.stored("payments")).isEqualTo(fixture.sandbox.liveIds("payments"));
        assertThat(fixture.sandbox.queued("invoices")).isEmpty();
        assertThat(fixture.sandbox.queued("payments")).isEmpty();
        assertThat(fixture.sandbox.requestLog().count("/Accounting/MarkInvoicesAsSent")).isEqualTo(1);
        Invoice invoice = fixture.hub.getRecord(AscoraHubFixture.TENANT, fixture.connection.id(), Invoice.class,
                fixture.sandbox.liveIds("invoices").iterator().next()).orElseThrow().record();
        assertThat(invoice.number()).startsWith("INV");
        assertThat(invoice.total()).isPositive();
    }

    @Test
    void aProcessThatDiesBeforeTheAcknowledgementLosesNothingAndTheRestartAcknowledges() {
        start();
        fixture.sync(SyncRequest.full().only("customers", "jobs"));
        // Given: the acknowledgement never reaches Ascora (the process dies right after committing the page)
        fixture.sandbox.faults().always().onPath("/Accounting/MarkInvoicesAsSent").respondWith(Fault.status(500));

        SyncRun dying = fixture.sync(SyncRequest.full().only("invoices"));

        // Then: the page is stored, and every invoice is still in Ascora's queue
        assertThat(dying.status()).isEqualTo(SyncStatus.FAILED);
        assertThat(fixture.stored("invoices")).isEqualTo(fixture.sandbox.liveIds("invoices"));
        assertThat(fixture.sandbox.queued("invoices")).isEqualTo(fixture.sandbox.liveIds("invoices"));

        // When: a new process starts and syncs again
        fixture.hub.close();
        fixture.sandbox.faults().clear();
        fixture.hub = fixture.build(UnaryOperator.identity());
        String raised = fixture.sandbox.createInvoice(fixture.sandbox.liveIds("jobs").iterator().next(), 250);
        SyncRun resumed = fixture.sync(SyncRequest.full().only("invoices"));

        // Then: the stored cursor's acknowledgement is sent; the resumed pass keeps its original upper bound
        // (priorToDate), so the invoice raised since waits in the queue for the next pass
        assertThat(resumed.status()).as(resumed.toString()).isEqualTo(SyncStatus.SUCCEEDED);
        assertThat(fixture.sandbox.queued("invoices")).containsExactly(raised);
        assertThat(fixture.sync(SyncRequest.full().only("invoices")).status()).isEqualTo(SyncStatus.SUCCEEDED);
        assertThat(fixture.sandbox.queued("invoices")).isEmpty();
        assertThat(fixture.stored("invoices")).contains(raised).isEqualTo(fixture.sandbox.liveIds("invoices"));
        List<ChangeEvent> created = changes().stream()
                .filter(event -> event.entity().equals("invoices") && event.operation().equals("created")).toList();
        assertThat(created).hasSize(fixture.sandbox.liveIds("invoices").size());
    }

    @Test
    void aRedeliveredItemIsANoOpAndAcknowledgedInvoicesAreNeverSweptAway() {
        start();
        fixture.sync(SyncRequest.full().only("customers", "jobs", "invoices"));
        // Given: an invoice modified in Ascora goes back into the queue; the others are acknowledged
        String invoice = fixture.sandbox.liveIds("invoices").iterator().next();
        fixture.sandbox.update("invoices", invoice, body -> { });

        SyncRun again = fixture.sync(SyncRequest.full().only("invoices"));

        assertThat(again.status()).isEqualTo(SyncStatus.SUCCEEDED);
        assertThat(again.entity("invoices").orElseThrow().unchanged()).as("redelivered, same content").isEqualTo(1);
        assertThat(again.entity("invoices").orElseThrow().deleted()).as("a queue lists only unsent items").isZero();
        assertThat(fixture.stored("invoices")).isEqualTo(fixture.sandbox.liveIds("invoices"));
    }

    @Test
    void aLongQueueIsReadAPageAtATimeEachPageAcknowledgedAfterItsCommit() {
        fixture = new AscoraHubFixture(TestDatabase.Kind.EMBEDDED, "AscoraAccountingQueueTest",
                AscoraSandbox.builder().withCustomers(3).withJobs(3).withInvoices(45));

        SyncRun run = fixture.sync(SyncRequest.full().only("customers", "jobs", "invoices"));

        // The fixture's page size is 20: pages of 20, 20 and 5, each acknowledged when the next read starts.
        assertThat(run.status()).isEqualTo(SyncStatus.SUCCEEDED);
        assertThat(run.entity("invoices").orElseThrow().added()).isEqualTo(45);
        assertThat(fixture.sandbox.requestLog().count("/Accounting/MarkInvoicesAsSent")).isEqualTo(3);
        assertThat(fixture.sandbox.queued("invoices")).isEmpty();
    }

    private List<ChangeEvent> changes() {
        List<ChangeEvent> all = new ArrayList<>();
        long cursor = 0;
        while (true) {
            var page = fixture.hub.changes(AscoraHubFixture.TENANT, cursor, fixture.connection.id(), 1000);
            if (page.events().isEmpty()) return all;
            all.addAll(page.events());
            cursor = page.nextCursor();
        }
    }
}
