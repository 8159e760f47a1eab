package dev.junction.provider.clio;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.NewConnection;
import dev.junction.core.OAuthStart;
import dev.junction.core.spi.Provider;
import dev.junction.core.spi.Settings;
import dev.junction.provider.clio.sandbox.ClioEntity;
import dev.junction.provider.clio.sandbox.ClioSandbox;
import dev.junction.sandbox.Fault;
import dev.junction.testkit.ConformanceSandbox;
import dev.junction.testkit.ProviderConformanceTest;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/** The conformance kit against ClioSandbox, on PostgreSQL and on the embedded database. */
class ClioConformanceTest extends ProviderConformanceTest {

    @Override
    protected ConformanceSandbox startSandbox(ConformanceSandbox.Spec spec) {
        return new ClioConformanceSandbox(spec);
    }

    /** Drives ClioSandbox for the kit; the connection is made with the real OAuth authorization-code flow. */
    static final class ClioConformanceSandbox implements ConformanceSandbox {

        static final String CLIENT_ID = "conformance-client";
        static final String CLIENT_SECRET = "conformance-secret";
        static final String REDIRECT_URI = "https://app.example.com/oauth/clio/callback";

        private final ClioSandbox sandbox;

        @Override
        public ClioSandbox sandbox() {
            return sandbox;
        }
        private final AtomicInteger changes = new AtomicInteger();

        ClioConformanceSandbox(Spec spec) {
            ClioSandbox.Builder builder = ClioSandbox.builder()
                    .withRecordCount(ClioEntity.CONTACTS, spec.primaryRecords())
                    .withOAuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT_URI);
            builder = spec.rateLimited() ? builder.withRateLimit(spec.rateLimit(), spec.rateWindow())
                    : builder.withRateLimit(1_000_000, Duration.ofSeconds(60));
            this.sandbox = builder.start();
        }

        /** Drives an already started sandbox (whose OAuth client must be this class's). */
        ClioConformanceSandbox(ClioSandbox sandbox) {
            this.sandbox = sandbox;
        }

        @Override
        public Provider provider() {
            return new ClioProvider();
        }

        @Override
        public Settings providerSettings() {
            return Settings.of(Map.of(ClioProvider.CLIENT_ID, CLIENT_ID, ClioProvider.CLIENT_SECRET, CLIENT_SECRET));
        }

        @Override
        public Connection connect(Hub hub, String tenantId) {
            Connection connection = hub.createConnection(NewConnection.of(tenantId, ClioProvider.ID)
                    .withSetting(ClioProvider.BASE_URL, sandbox.baseUrl()));
            OAuthStart start = hub.startOAuth(tenantId, connection.id(), REDIRECT_URI);
            // The user's browser: the sandbox approves at once and redirects to our callback with code and state.
            Map<String, String> callback = followAuthorize(start.authorizeUrl());
            return hub.completeOAuth(callback.get("state"), callback.get("code"));
        }

        private static Map<String, String> followAuthorize(String authorizeUrl) {
            try {
                HttpResponse<Void> response = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build()
                        .send(HttpRequest.newBuilder(URI.create(authorizeUrl)).GET().build(), HttpResponse.BodyHandlers.discarding());
                String location = response.headers().firstValue("Location").orElseThrow(() ->
                        new AssertionError("authorize answered " + response.statusCode() + " without a redirect"));
                String query = URI.create(location).getRawQuery();
                Map<String, String> parameters = new HashMap<>();
                Arrays.stream(query.split("&")).map(pair -> pair.split("=", 2)).forEach(pair ->
                        parameters.put(URLDecoder.decode(pair[0], StandardCharsets.UTF_8),
                                URLDecoder.decode(pair.length > 1 ? pair[1] : "", StandardCharsets.UTF_8)));
                return parameters;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        @Override
        public String primaryEntity() {
            return "contacts";
        }

        private static ClioEntity entity(String name) {
            return Arrays.stream(ClioEntity.values()).filter(entity -> entity.path().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no sandbox entity " + name));
        }

        @Override
        public Set<String> liveIds(String entity) {
            return sandbox.liveIds(entity(entity)).stream().map(String::valueOf).collect(Collectors.toSet());
        }

        @Override
        public String create(String entity) {
            return String.valueOf(sandbox.createRecord(entity(entity), JsonNodeFactory.instance.objectNode()).id());
        }

        @Override
        public void update(String entity, String id) {
            ObjectNode fields = JsonNodeFactory.instance.objectNode();
            String value = "Changed " + changes.incrementAndGet();
            if (entity(entity) == ClioEntity.CONTACTS) {
                fields.put("name", value).put("first_name", value);
            } else {
                fields.put("description", value);
            }
            if (sandbox.updateRecord(entity(entity), Long.parseLong(id), fields).isEmpty()) {
                throw new IllegalArgumentException("no " + entity + " " + id);
            }
        }

        @Override
        public void delete(String entity, String id) {
            if (!sandbox.deleteRecord(entity(entity), Long.parseLong(id))) {
                throw new IllegalArgumentException("no " + entity + " " + id);
            }
        }

        @Override
        public void corrupt(String entity, String id) {
            sandbox.corruptRecord(entity(entity), Long.parseLong(id));
        }

        @Override
        public String apiPathPattern() {
            return "/api/v4/**";
        }

        @Override
        public void revokeAccess() {
            // The user removed the app in Clio: the access token gets 401 and the refresh token invalid_grant.
            if (sandbox.oauth().revokeAll("1") == 0) {
                throw new IllegalStateException("no tokens to revoke");
            }
        }

    }
}
