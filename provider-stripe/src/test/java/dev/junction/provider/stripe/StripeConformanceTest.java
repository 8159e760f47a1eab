package dev.junction.provider.stripe;

import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.NewConnection;
import dev.junction.core.spi.Provider;
import dev.junction.core.spi.Settings;
import dev.junction.provider.stripe.sandbox.StripeSandbox;
import dev.junction.testkit.ConformanceSandbox;
import dev.junction.testkit.ProviderConformanceTest;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** The conformance kit against StripeSandbox, on PostgreSQL and on the embedded database. */
class StripeConformanceTest extends ProviderConformanceTest {

    @Override
    protected ConformanceSandbox startSandbox(ConformanceSandbox.Spec spec) {
        return new StripeConformanceSandbox(spec);
    }

    /** Drives StripeSandbox for the kit; the connection is made with the sandbox's test secret key. */
    static final class StripeConformanceSandbox implements ConformanceSandbox {

        private final StripeSandbox sandbox;

        @Override
        public StripeSandbox sandbox() {
            return sandbox;
        }
        private final AtomicInteger changes = new AtomicInteger();

        StripeConformanceSandbox(Spec spec) {
            StripeSandbox.Builder builder = StripeSandbox.builder().withCount("customers", spec.primaryRecords())
                    .withCount("subscriptions", Math.min(3, spec.primaryRecords()));
            builder = spec.rateLimited() ? builder.withRateLimit(spec.rateLimit(), spec.rateWindow())
                    : builder.withRateLimit(1_000_000, Duration.ofSeconds(1));
            this.sandbox = builder.start();
        }

        @Override
        public Provider provider() {
            return new StripeProvider();
        }

        @Override
        public Settings providerSettings() {
            return Settings.EMPTY;
        }

        @Override
        public Connection connect(Hub hub, String tenantId) {
            return hub.createConnection(NewConnection.of(tenantId, StripeProvider.ID)
                    .withSetting(StripeProvider.BASE_URL, sandbox.baseUrl())
                    .withSetting(StripeProvider.API_KEY, StripeSandbox.DEFAULT_KEY));
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
            requireCustomers(entity);
            return sandbox.createCustomer("Created " + changes.incrementAndGet(), "created@example.com");
        }

        @Override
        public void update(String entity, String id) {
            requireCustomers(entity);
            sandbox.updateCustomer(id, "Changed " + changes.incrementAndGet());
        }

        @Override
        public void delete(String entity, String id) {
            requireCustomers(entity);
            sandbox.deleteCustomer(id);
        }

        @Override
        public void corrupt(String entity, String id) {
            sandbox.corrupt(entity, id);
        }

        private static void requireCustomers(String entity) {
            if (!entity.equals("customers")) {
                throw new IllegalArgumentException("the kit mutates customers only, not " + entity);
            }
        }

        @Override
        public String apiPathPattern() {
            return "/v1/**";
        }

        @Override
        public void revokeAccess() {
            // The key was rolled or deleted in the Dashboard: every request gets 401 from now on.
            sandbox.revokeKey(StripeSandbox.DEFAULT_KEY);
        }

    }
}
