package dev.junction.provider.ascora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.ConflictStrategy;
import dev.junction.core.PushChange;
import dev.junction.core.PushResult;
import dev.junction.core.SyncRequest;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.provider.ascora.sandbox.AscoraSandbox;
import dev.junction.sandbox.Fault;
import dev.junction.testkit.TestDatabase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two-way sync through {@code Hub.push} against AscoraSandbox: customers updated, jobs created from a local report
 * and updated; conflicts (changed in Ascora and locally since the last sync) decided by the connection's strategy
 * and written to the push log; retries never create twice.
 */
class AscoraTwoWaySyncTest {

    private static final String TENANT = AscoraHubFixture.TENANT;
    private AscoraHubFixture fixture;

    @AfterEach
    void stop() {
        if (fixture != null) fixture.close();
    }

    private void start(TestDatabase.Kind kind) {
        fixture = new AscoraHubFixture(kind, "AscoraTwoWaySyncTest", AscoraSandbox.builder().withCustomers(6).withJobs(3).withInvoices(0));
        fixture.sync(SyncRequest.full().only("customers", "jobs"));
    }

    private String customer() {
        List<String> ids = new ArrayList<>(fixture.sandbox.liveIds("customers"));
        Collections.sort(ids);
        return ids.get(0);
    }

    private static ObjectNode fields(String... keysAndValues) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            node.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return node;
    }

    private String companyInAscora(String id) {
        return fixture.sandbox.record("customers", id).orElseThrow().path("companyName").asText();
    }

    private String storedPayload(String entity, String id) {
        return fixture.hub.getRawRecord(TENANT, fixture.connection.id(), entity, id).orElseThrow().payload();
    }

    @Test
    void aCustomerChangedOnlyLocallyIsPushed() {
        start(TestDatabase.Kind.EMBEDDED);
        String id = customer();

        PushResult result = fixture.hub.push(PushChange.update(TENANT, fixture.connection.id(), "customers", id,
                fields("companyName", "Harbour Plumbing"), Instant.now(), "push-1"));

        assertThat(result.decision()).isEqualTo("pushed");
        assertThat(companyInAscora(id)).isEqualTo("Harbour Plumbing");
        assertThat(storedPayload("customers", id)).contains("Harbour Plumbing");
        // The stored version is Ascora's answer, so the next sync sees no difference and nothing echoes back.
        assertThat(fixture.sync(SyncRequest.full().only("customers")).entity("customers").orElseThrow().updated()).isZero();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aConflictIsDecidedByEachStrategyAndLogged(TestDatabase.Kind kind) {
        start(kind);
        List<String> ids = new ArrayList<>(fixture.sandbox.liveIds("customers"));
        Collections.sort(ids);
        String connection = fixture.connection.id();
        int index = 0;
        for (ConflictStrategy strategy : ConflictStrategy.values()) {
            String id = ids.get(index++);
            // Given: changed in Ascora since the last sync ...
            fixture.sandbox.update("customers", id, body -> body.put("companyName", "Changed in Ascora"));
            fixture.hub.setConflictStrategy(TENANT, connection, strategy);

            // When: ... and changed locally
            PushResult result = fixture.hub.push(PushChange.update(TENANT, connection, "customers", id,
                    fields("companyName", "Changed locally"), Instant.now(), "conflict-" + strategy));

            // Then
            assertThat(result.strategy()).isEqualTo(strategy);
            switch (strategy) {
                case LOCAL_WINS -> {
                    assertThat(result.decision()).isEqualTo("conflict_local_won");
                    assertThat(companyInAscora(id)).isEqualTo("Changed locally");
                    assertThat(storedPayload("customers", id)).contains("Changed locally");
                }
                // Ascora records carry no modification time, and core counts a missing remote time as newer:
                // under NEWEST_WINS Ascora's version always wins.
                case REMOTE_WINS, NEWEST_WINS -> {
                    assertThat(result.decision()).isEqualTo("conflict_remote_won");
                    assertThat(companyInAscora(id)).isEqualTo("Changed in Ascora");
                    assertThat(storedPayload("customers", id)).contains("Changed in Ascora");
                }
            }
        }
        List<PushResult> log = fixture.hub.pushLog(TENANT, connection, 10);
        assertThat(log).extracting(PushResult::decision)
                .containsExactlyInAnyOrder("conflict_remote_won", "conflict_local_won", "conflict_remote_won");
        assertThat(log).extracting(PushResult::strategy).containsExactlyInAnyOrder(ConflictStrategy.values());
    }

    @Test
    void aJobCreatedFromALocalReportIsCreatedOnceUnderRetries() {
        start(TestDatabase.Kind.EMBEDDED);
        ObjectNode report = JsonNodeFactory.instance.objectNode().put("jobName", "Leaking tap").put("jobDescription",
                "Reported on site").put("pricingMethod", "FIXED-PRICE");
        report.putObject("siteCustomer").put("id", customer());
        int jobsBefore = fixture.sandbox.liveIds("jobs").size();
        // Given: Ascora creates the job but its answer is lost on the way back
        fixture.sandbox.faults().next(1).onPath("/Jobs/Job").onMethod("POST").respondWith(Fault.truncatedBody());

        assertThatThrownBy(() -> fixture.hub.push(PushChange.create(TENANT, fixture.connection.id(), "jobs", report,
                Instant.now(), "report-17"))).isInstanceOf(JunctionException.class);

        // When: the caller retries with the same key, twice
        PushResult retried = fixture.hub.push(PushChange.create(TENANT, fixture.connection.id(), "jobs", report, Instant.now(), "report-17"));
        PushResult again = fixture.hub.push(PushChange.create(TENANT, fixture.connection.id(), "jobs", report, Instant.now(), "report-17"));

        // Then: one job in Ascora; the connector found the first one by its key, and core replayed the second retry
        assertThat(fixture.sandbox.liveIds("jobs")).hasSize(jobsBefore + 1);
        assertThat(fixture.sandbox.requestLog().count("/Jobs/Job")).as("POSTs that created a job").isEqualTo(1);
        assertThat(retried.decision()).isEqualTo("pushed");
        assertThat(retried.externalId()).isEqualTo("J" + (jobsBefore + 1));
        assertThat(again.replayed()).isTrue();
        assertThat(again.externalId()).isEqualTo(retried.externalId());
        assertThat(fixture.stored("jobs")).contains(retried.externalId());
    }

    @Test
    void aJobStatusIsPushedAsAnUpdate() {
        start(TestDatabase.Kind.EMBEDDED);

        PushResult result = fixture.hub.push(PushChange.update(TENANT, fixture.connection.id(), "jobs", "J1",
                JsonNodeFactory.instance.objectNode().put("jobStatus", 2).put("jobStatusText", "Completed"), Instant.now(), "j1-done"));

        assertThat(result.decision()).isEqualTo("pushed");
        assertThat(fixture.sandbox.record("jobs", "J1").orElseThrow().path("jobStatusText").asText()).isEqualTo("Completed");
    }

    @Test
    void theSameKeyForADifferentChangeIsAConflictError() {
        start(TestDatabase.Kind.EMBEDDED);
        String id = customer();
        fixture.hub.push(PushChange.update(TENANT, fixture.connection.id(), "customers", id, fields("companyName", "A"), Instant.now(), "k"));

        assertThatThrownBy(() -> fixture.hub.push(PushChange.update(TENANT, fixture.connection.id(), "customers", id,
                fields("companyName", "B"), Instant.now(), "k")))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.CONFLICT);
        assertThat(companyInAscora(id)).isEqualTo("A");
    }
}
