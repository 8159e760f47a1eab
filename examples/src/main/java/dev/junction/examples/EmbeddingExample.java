package dev.junction.examples;

import dev.junction.core.ChangePage;
import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.HubBuilder;
import dev.junction.core.NewConnection;
import dev.junction.core.OAuthStart;
import dev.junction.core.RecordPage;
import dev.junction.core.RecordQuery;
import dev.junction.core.StoredRecord;
import dev.junction.core.SyncRequest;
import dev.junction.core.SyncRun;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.model.Contact;
import dev.junction.core.model.UnifiedType;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.core.spi.Settings;
import dev.junction.provider.clio.ClioProvider;
import dev.junction.provider.clio.sandbox.ClioSandbox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;

/**
 * How to embed Junction in an application: one hub per process, a Clio connection for a tenant, the OAuth
 * authorization-code flow, a sync, a query over the unified contacts and the change feed.
 *
 * <p>The README's "Embedding the library" section is the code between the {@code README:begin} and
 * {@code README:end} markers, verbatim; {@code EmbeddingExampleTest} runs this class on PostgreSQL and on the
 * embedded database and checks that the README still matches it. {@link #main} runs it against the Clio sandbox.
 */
public final class EmbeddingExample {

    /** Your Clio application (developer portal): its OAuth client and the redirect URI registered for it. */
    public record ClioApp(String clientId, String clientSecret, String redirectUri) {}

    /**
     * The user's browser, for the example: opens the authorize URL (the user clicks "Allow") and returns the
     * redirect URI the provider sent it back to, with {@code code} and {@code state}. In an application, the user's
     * real browser does this and your web framework receives the callback.
     */
    @FunctionalInterface
    public interface Browser {
        URI authorize(String authorizeUrl);
    }

    /** What the example did, for its caller (and the test) to check. */
    public record Result(String connectionId, SyncRun sync, List<String> contactIds, List<Contact> garcias, long changes) {}

    private EmbeddingExample() {
    }

    /**
     * Runs the example.
     *
     * @param postgres the application's PostgreSQL, or null for the embedded database in {@code dataDirectory}
     * @param clioBaseUrl where Clio is: the sandbox's URL here; applications leave {@code base_url} out (the region decides)
     * @param clioRateLimit the request budget per connection: {@code new ClioProvider().rateLimitPolicy()} is Clio's 50 a minute
     */
    public static Result run(DataSource postgres, Path dataDirectory, String encryptionKey, ClioApp app, String clioBaseUrl,
            RateLimitPolicy clioRateLimit, Browser browser) {
        // README:begin
        HubBuilder builder = postgres != null
                ? Hub.builder().withDataSource(postgres)             // PostgreSQL: Junction migrates its own junction_* tables
                : Hub.builder().withDataDirectory(dataDirectory);    // or the embedded database: nothing to set up
        try (Hub hub = builder
                .withEncryptionKey("k1", encryptionKey)              // encrypts tokens and secrets at rest; SecretCipher.generateKey()
                .withProvider(new ClioProvider(), Settings.of("client_id", app.clientId(), "client_secret", app.clientSecret()))
                .withRateLimit("clio", clioRateLimit)                // optional: Clio's published 50 requests a minute is the default
                .build()) {                                          // one hub per process; thread-safe

            // A tenant's link to one Clio account. base_url points at the sandbox; omit it to use the region's Clio.
            Connection clio = hub.createConnection(NewConnection.of("acme-law", "clio")
                    .withSetting("region", "us")
                    .withSetting("base_url", clioBaseUrl));

            // OAuth: send the user to authorizeUrl(); Clio redirects them to your redirect URI with ?code=…&state=…,
            // and your callback hands both to completeOAuth (state says which tenant and connection it was).
            OAuthStart start = hub.startOAuth("acme-law", clio.id(), app.redirectUri());
            URI callback = browser.authorize(start.authorizeUrl());
            hub.completeOAuth(parameter(callback, "state"), parameter(callback, "code"));

            // A full sync of the entities this application needs (later: SyncRequest.incremental()). It waits;
            // startSync(...) returns a handle with live progress instead.
            SyncRun run = hub.sync("acme-law", clio.id(), SyncRequest.full().only("users", "custom_fields", "contacts", "matters"));

            // The unified, provider-independent view of what was synced.
            RecordPage<StoredRecord<Contact>> garcias = hub.query(
                    RecordQuery.of("acme-law", UnifiedType.CONTACT).withText("garcia").withLimit(100), Contact.class);

            // The change feed: created/updated/deleted events in order. Keep the cursor and continue from it later.
            long cursor = 0;
            long changes = 0;
            ChangePage page;
            while (!(page = hub.changes("acme-law", cursor, null, 500)).events().isEmpty()) {
                changes += page.events().size();                     // react to page.events() here
                cursor = page.nextCursor();
            }
            // README:end
            return new Result(clio.id(), run, hub.liveIds("acme-law", clio.id(), "contacts"),
                    garcias.items().stream().map(StoredRecord::record).toList(), changes);
        }
    }

    /** The decoded value of a query parameter of {@code uri}, or null. */
    public static String parameter(URI uri, String name) {
        return OAuthCallbackServer.query(uri).get(name);
    }

    /** A {@link Browser} for the sandbox: opens the authorize URL and returns where it redirects to, without following it. */
    public static URI followAuthorizeRedirect(String authorizeUrl) {
        HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(authorizeUrl)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            String location = response.headers().firstValue("Location").orElseThrow(() -> new IllegalStateException(
                    "the authorize URL answered " + response.statusCode() + " without a redirect: " + response.body()));
            return URI.create(authorizeUrl).resolve(location);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Runs the example against the Clio sandbox and the embedded database in a temporary directory. */
    public static void main(String[] args) throws IOException {
        ClioApp app = new ClioApp("embedding-example", "embedding-example-secret", "https://app.example/oauth/callback");
        Path dataDirectory = Files.createTempDirectory("junction-embedding");
        try (ClioSandbox sandbox = ClioSandbox.builder()
                .withOAuthClient(app.clientId(), app.clientSecret(), app.redirectUri())
                .withRateLimit(1_000, Duration.ofSeconds(1))
                .start()) {
            Result result = run(null, dataDirectory, SecretCipher.generateKey(), app, sandbox.baseUrl(),
                    new ClioProvider().rateLimitPolicy().withBudget(1_000, Duration.ofSeconds(1)),
                    EmbeddingExample::followAuthorizeRedirect);
            System.out.printf("sync %s: %d contacts stored, %d named Garcia, %d change events (database in %s)%n",
                    result.sync().status(), result.contactIds().size(), result.garcias().size(), result.changes(), dataDirectory);
        }
    }
}
