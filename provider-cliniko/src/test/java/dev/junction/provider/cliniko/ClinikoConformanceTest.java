package dev.junction.provider.cliniko;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.NewConnection;
import dev.junction.core.spi.Provider;
import dev.junction.core.spi.Settings;
import dev.junction.provider.cliniko.sandbox.ClinikoSandbox;
import dev.junction.provider.cliniko.sandbox.SandboxEntity;
import dev.junction.testkit.ConformanceSandbox;
import dev.junction.testkit.ProviderConformanceTest;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/** The conformance kit against ClinikoSandbox, on PostgreSQL and on the embedded database. */
class ClinikoConformanceTest extends ProviderConformanceTest {

    @Override
    protected ConformanceSandbox startSandbox(ConformanceSandbox.Spec spec) {
        return new ClinikoConformanceSandbox(spec);
    }

    /** Drives ClinikoSandbox for the kit; the connection is made with the API key, as a user would. */
    static final class ClinikoConformanceSandbox implements ConformanceSandbox {

        static final String USER_AGENT = "Junction conformance (ops@example.com)";

        private final ClinikoSandbox sandbox;

        @Override
        public ClinikoSandbox sandbox() {
            return sandbox;
        }
        private final AtomicInteger changes = new AtomicInteger();

        ClinikoConformanceSandbox(Spec spec) {
            ClinikoSandbox.Builder builder = ClinikoSandbox.builder()
                    .withRecordCount(SandboxEntity.PATIENTS, spec.primaryRecords())
                    // A few appointments and invoices per test keep every entity several pages long but the suite fast.
                    .withRecordCount(SandboxEntity.INDIVIDUAL_APPOINTMENTS, Math.min(spec.primaryRecords(), 60))
                    .withRecordCount(SandboxEntity.INVOICES, Math.min(spec.primaryRecords(), 30));
            builder = spec.rateLimited() ? builder.withRateLimit(spec.rateLimit(), spec.rateWindow())
                    : builder.withRateLimit(1_000_000, Duration.ofSeconds(60));
            this.sandbox = builder.start();
        }

        @Override
        public Provider provider() {
            return new ClinikoProvider();
        }

        @Override
        public Settings providerSettings() {
            return Settings.of(Map.of(ClinikoProvider.USER_AGENT, USER_AGENT));
        }

        @Override
        public Connection connect(Hub hub, String tenantId) {
            return hub.createConnection(NewConnection.of(tenantId, ClinikoProvider.ID)
                    .withSetting(ClinikoProvider.API_KEY, sandbox.apiKey())
                    .withSetting(ClinikoProvider.BASE_URL, sandbox.baseUrl()));
        }

        @Override
        public String primaryEntity() {
            return "patients";
        }

        private static SandboxEntity entity(String name) {
            return SandboxEntity.byPath(name).orElseThrow(() -> new IllegalArgumentException("no sandbox entity " + name));
        }

        @Override
        public Set<String> liveIds(String entity) {
            return sandbox.liveIds(entity(entity)).stream().map(String::valueOf).collect(Collectors.toSet());
        }

        @Override
        public String create(String entity) {
            if (entity(entity) != SandboxEntity.PATIENTS) {
                throw new UnsupportedOperationException("the kit creates patients only");
            }
            return String.valueOf(sandbox.createPatient("New", "Patient " + changes.incrementAndGet(), null));
        }

        @Override
        public void update(String entity, String id) {
            ObjectNode fields = JsonNodeFactory.instance.objectNode();
            String value = "Changed " + changes.incrementAndGet();
            switch (entity(entity)) {
                case PATIENTS, PRACTITIONERS -> fields.put("first_name", value);
                case INDIVIDUAL_APPOINTMENTS, INVOICES -> fields.put("notes", value);
                case BUSINESSES -> fields.put("business_name", value);
                case APPOINTMENT_TYPES -> fields.put("name", value);
            }
            if (!sandbox.update(entity(entity), Long.parseLong(id), fields)) {
                throw new IllegalArgumentException("no " + entity + " " + id);
            }
        }

        @Override
        public void delete(String entity, String id) {
            if (!sandbox.delete(entity(entity), Long.parseLong(id))) {
                throw new IllegalArgumentException("no " + entity + " " + id);
            }
        }

        @Override
        public void corrupt(String entity, String id) {
            sandbox.corrupt(entity(entity), Long.parseLong(id));
        }

        @Override
        public String apiPathPattern() {
            return "/v1/**";
        }

        @Override
        public void revokeAccess() {
            // The user deleted the API key in Cliniko: every request with it now gets 401.
            sandbox.revokeKey();
        }

    }
}
