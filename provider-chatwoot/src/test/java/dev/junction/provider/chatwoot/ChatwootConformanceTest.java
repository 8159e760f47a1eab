package dev.junction.provider.chatwoot;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.NewConnection;
import dev.junction.core.spi.Provider;
import dev.junction.core.spi.Settings;
import dev.junction.provider.chatwoot.sandbox.ChatwootSandbox;
import dev.junction.testkit.ConformanceSandbox;
import dev.junction.testkit.ProviderConformanceTest;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The conformance kit against ChatwootSandbox, on PostgreSQL and on the embedded database. Chatwoot sends no delete
 * webhooks, which the driver declares; deletions reach the Hub through the full pass's sweep, checked by the kit's
 * incremental test.
 */
class ChatwootConformanceTest extends ProviderConformanceTest {

    @Override
    protected ConformanceSandbox startSandbox(ConformanceSandbox.Spec spec) {
        return new ChatwootConformanceSandbox(spec);
    }

    /** Drives ChatwootSandbox for the kit; the connection is made with the access token, as a user would. */
    static final class ChatwootConformanceSandbox implements ConformanceSandbox {

        @Override
        public boolean sendsDeleteWebhooks() {
            return false;
        }

        private final ChatwootSandbox sandbox;

        @Override
        public ChatwootSandbox sandbox() {
            return sandbox;
        }
        private final AtomicInteger changes = new AtomicInteger();

        ChatwootConformanceSandbox(Spec spec) {
            ChatwootSandbox.Builder builder = ChatwootSandbox.builder()
                    .withContacts(spec.primaryRecords())
                    // A few conversations keep every entity present and paged but the suite fast.
                    .withConversations(Math.min(spec.primaryRecords() / 4, 30));
            builder = spec.rateLimited() ? builder.withRateLimit(spec.rateLimit(), spec.rateWindow())
                    : builder.withRateLimit(1_000_000, Duration.ofSeconds(60));
            this.sandbox = builder.start();
        }

        @Override
        public Provider provider() {
            return new ChatwootProvider();
        }

        @Override
        public Settings providerSettings() {
            return Settings.EMPTY;
        }

        @Override
        public Connection connect(Hub hub, String tenantId) {
            return hub.createConnection(NewConnection.of(tenantId, ChatwootProvider.ID)
                    .withSetting(ChatwootProvider.BASE_URL, sandbox.baseUrl())
                    .withSetting(ChatwootProvider.ACCOUNT_ID, Long.toString(sandbox.accountId()))
                    .withSetting(ChatwootProvider.API_ACCESS_TOKEN, sandbox.apiAccessToken()));
        }

        @Override
        public String primaryEntity() {
            return "contacts";
        }

        @Override
        public Set<String> liveIds(String entity) {
            return sandbox.liveIds(entity).stream().map(String::valueOf).collect(Collectors.toSet());
        }

        /** A contact who then writes in (so it has activity, as contacts reached by incremental passes do). */
        @Override
        public String create(String entity) {
            if (!entity.equals("contacts")) {
                throw new UnsupportedOperationException("the kit creates contacts only");
            }
            int n = changes.incrementAndGet();
            long id = sandbox.createContact("New Contact " + n, "new" + n + "@example.com");
            sandbox.touchContact(id);
            return Long.toString(id);
        }

        /**
         * Renames the contact and records activity: Chatwoot's incremental order is last activity, and a rename alone
         * reaches Junction by its contact_updated webhook instead.
         */
        @Override
        public void update(String entity, String id) {
            if (!entity.equals("contacts")) {
                throw new UnsupportedOperationException("the kit updates contacts only");
            }
            long contact = Long.parseLong(id);
            if (!sandbox.updateContact(contact, JsonNodeFactory.instance.objectNode().put("name", "Changed " + changes.incrementAndGet()))) {
                throw new IllegalArgumentException("no contact " + id);
            }
            sandbox.touchContact(contact);
        }

        @Override
        public void delete(String entity, String id) {
            if (!entity.equals("contacts") || !sandbox.deleteContact(Long.parseLong(id))) {
                throw new IllegalArgumentException("cannot delete " + entity + " " + id);
            }
        }

        @Override
        public void corrupt(String entity, String id) {
            sandbox.corrupt(entity, Long.parseLong(id));
        }

        @Override
        public String apiPathPattern() {
            return "/api/v1/**";
        }

        @Override
        public void revokeAccess() {
            // The user reset their access token in Chatwoot: the old one now gets 401.
            sandbox.revokeToken();
        }

    }
}
