package dev.junction.examples.manychat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.NewConnection;
import dev.junction.core.spi.Provider;
import dev.junction.core.spi.Settings;
import dev.junction.examples.manychat.sandbox.ManyChatSandbox;
import dev.junction.testkit.ConformanceSandbox;
import dev.junction.testkit.ProviderConformanceTest;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The conformance kit against ManyChatSandbox, on PostgreSQL and on the embedded database. Tags are the primary
 * entity (the longest list a page has). ManyChat has no webhooks for these lists, so the kit's webhook checks are the
 * "undeclared capability" ones.
 */
class ManyChatConformanceTest extends ProviderConformanceTest {

    @Override
    protected ConformanceSandbox startSandbox(ConformanceSandbox.Spec spec) {
        return new ManyChatConformanceSandbox(spec);
    }

    /** Drives ManyChatSandbox for the kit; the connection is made with the API key, as a user would. */
    static final class ManyChatConformanceSandbox implements ConformanceSandbox {

        private final ManyChatSandbox sandbox;
        private final AtomicInteger changes = new AtomicInteger();

        ManyChatConformanceSandbox(Spec spec) {
            ManyChatSandbox.Builder builder = ManyChatSandbox.builder().withCount("tags", spec.primaryRecords());
            builder = spec.rateLimited() ? builder.withRateLimit(spec.rateLimit(), spec.rateWindow())
                    : builder.withRateLimit(1_000_000, Duration.ofSeconds(60));
            this.sandbox = builder.start();
        }

        @Override
        public ManyChatSandbox sandbox() {
            return sandbox;
        }

        @Override
        public Provider provider() {
            return new ManyChatProvider();
        }

        @Override
        public Settings providerSettings() {
            return Settings.EMPTY;
        }

        @Override
        public Connection connect(Hub hub, String tenantId) {
            return hub.createConnection(NewConnection.of(tenantId, ManyChatProvider.ID)
                    .withSetting(ManyChatProvider.API_KEY, sandbox.apiKey())
                    .withSetting(ManyChatProvider.BASE_URL, sandbox.baseUrl()));
        }

        @Override
        public String primaryEntity() {
            return "tags";
        }

        @Override
        public Set<String> liveIds(String entity) {
            return sandbox.liveIds(entity);
        }

        @Override
        public String create(String entity) {
            if (!entity.equals("tags")) {
                throw new UnsupportedOperationException("the kit creates tags only");
            }
            return sandbox.createTag("New tag " + changes.incrementAndGet());
        }

        @Override
        public void update(String entity, String id) {
            String value = "Changed " + changes.incrementAndGet();
            if (!sandbox.update(entity, id, item -> item.put("name", value))) {
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
            sandbox.update(entity, id, item -> item.set("name", JsonNodeFactory.instance.objectNode().put("unexpected", true)));
        }

        @Override
        public String apiPathPattern() {
            return "/fb/**";
        }

        @Override
        public void revokeAccess() {
            sandbox.revokeKey();
        }
    }
}
