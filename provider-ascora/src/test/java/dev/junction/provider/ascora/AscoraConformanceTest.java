package dev.junction.provider.ascora;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.NewConnection;
import dev.junction.core.spi.Provider;
import dev.junction.core.spi.Settings;
import dev.junction.provider.ascora.sandbox.AscoraSandbox;
import dev.junction.testkit.ConformanceSandbox;
import dev.junction.testkit.ProviderConformanceTest;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The conformance kit against AscoraSandbox, on PostgreSQL and on the embedded database. Ascora signs no webhooks
 * and documents no delete event, which the sandbox driver declares ({@code signsWebhooks}, {@code
 * sendsDeleteWebhooks}): the kit then checks that a tampered or unsigned delivery cannot reach the store (every
 * Ascora event is a refetch) and leaves deletions to the full pass's sweep, which its incremental check covers.
 */
class AscoraConformanceTest extends ProviderConformanceTest {

    @Override
    protected ConformanceSandbox startSandbox(ConformanceSandbox.Spec spec) {
        return new AscoraConformanceSandbox(spec);
    }

    /** Drives AscoraSandbox for the kit; the connection is made with the API key, as a user would. */
    static final class AscoraConformanceSandbox implements ConformanceSandbox {

        private final AscoraSandbox sandbox;

        @Override
        public AscoraSandbox sandbox() {
            return sandbox;
        }
        private final AtomicInteger changes = new AtomicInteger();

        @Override
        public boolean signsWebhooks() {
            return false;
        }

        @Override
        public boolean sendsDeleteWebhooks() {
            return false;
        }

        AscoraConformanceSandbox(Spec spec) {
            AscoraSandbox.Builder builder = AscoraSandbox.builder()
                    .withCustomers(spec.primaryRecords())
                    // A few jobs and invoices keep every entity present but the suite fast.
                    .withJobs(Math.min(spec.primaryRecords(), 12))
                    .withInvoices(Math.min(spec.primaryRecords(), 4));
            builder = spec.rateLimited() ? builder.withRateLimit(spec.rateLimit(), spec.rateWindow())
                    : builder.withRateLimit(1_000_000, Duration.ofSeconds(60));
            this.sandbox = builder.start();
        }

        @Override
        public Provider provider() {
            return new AscoraProvider();
        }

        @Override
        public Settings providerSettings() {
            return Settings.EMPTY;
        }

        @Override
        public Connection connect(Hub hub, String tenantId) {
            return hub.createConnection(NewConnection.of(tenantId, AscoraProvider.ID)
                    .withSetting(AscoraProvider.API_KEY, sandbox.apiKey())
                    .withSetting(AscoraProvider.BASE_URL, sandbox.baseUrl()));
        }

        @Override
        public String primaryEntity() {
            return "customers";
        }

        @Override
        public Set<String> liveIds(String entity) {
            return sandbox.liveIds(entity);
        }

        @Override
        public String create(String entity) {
            if (!entity.equals("customers")) {
                throw new UnsupportedOperationException("the kit creates customers only");
            }
            return sandbox.createCustomer("New Company " + changes.incrementAndGet(), "New", "Customer");
        }

        @Override
        public void update(String entity, String id) {
            String value = "Changed " + changes.incrementAndGet();
            boolean found = sandbox.update(entity, id, body -> {
                switch (entity) {
                    case "customers" -> body.put("companyName", value).put("customerName", value);
                    case "contacts" -> body.put("firstName", value);
                    case "jobs" -> body.put("jobName", value);
                    case "quotes" -> body.put("quoteName", value);
                    default -> body.put("status", value);
                }
            });
            if (!found) {
                throw new IllegalArgumentException("no " + entity + " " + id);
            }
        }

        @Override
        public void delete(String entity, String id) {
            if (!sandbox.delete(entity, id)) {
                throw new IllegalArgumentException("no " + entity + " " + id);
            }
        }

        @Override
        public void corrupt(String entity, String id) {
            sandbox.update(entity, id, body -> body.set(entity.equals("customers") ? "contactFirstName" : "jobName",
                    JsonNodeFactory.instance.objectNode().put("unexpected", true)));
        }

        @Override
        public String apiPathPattern() {
            return "/**";
        }

        @Override
        public void revokeAccess() {
            // The user deleted the API key in Ascora's API settings: every request with it now gets 401.
            sandbox.revokeKey();
        }

    }
}
