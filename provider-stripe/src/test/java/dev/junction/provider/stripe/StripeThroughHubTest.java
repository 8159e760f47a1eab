package dev.junction.provider.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.ActionResult;
import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.NewConnection;
import dev.junction.core.RawRecord;
import dev.junction.core.SyncRequest;
import dev.junction.core.SyncRun;
import dev.junction.core.SyncStatus;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.http.RetrySettings;
import dev.junction.core.model.Invoice;
import dev.junction.core.model.Subscription;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.provider.stripe.sandbox.StripeSandbox;
import dev.junction.sandbox.Fault;
import dev.junction.sandbox.LoggedRequest;
import dev.junction.sandbox.MutableClock;
import dev.junction.testkit.TestDatabase;
import dev.junction.testkit.WebhookTestReceiver;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Stripe through the Hub against StripeSandbox: nested lists, the 30-day fallback, the billing status flow, idempotent
 * actions, bad input. Hub and sandbox share a clock so time can be moved.
 */
class StripeThroughHubTest {

    private static final String TENANT = "billing-tenant";
    private static final List<String> ALL = List.of("customers", "products", "prices", "subscriptions", "invoices",
            "charges", "payment_intents", "refunds", "events");

    private final MutableClock clock = MutableClock.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private StripeSandbox sandbox;
    private TestDatabase database;
    private Hub hub;
    private WebhookTestReceiver receiver;
    private Connection connection;

    private void start(TestDatabase.Kind kind, UnaryOperator<StripeSandbox.Builder> sandboxSetup) {
        start(kind, sandboxSetup, builder -> builder.withRateLimit(StripeProvider.ID, RateLimitPolicy.UNLIMITED));
    }

    private void start(TestDatabase.Kind kind, UnaryOperator<StripeSandbox.Builder> sandboxSetup,
                       UnaryOperator<dev.junction.core.HubBuilder> hubSetup) {
        sandbox = sandboxSetup.apply(StripeSandbox.builder().withClock(clock).withCount("customers", 30)).start();
        database = TestDatabase.create(kind, "StripeThroughHubTest");
        hub = hubSetup.apply(database.configure(Hub.builder())
                .withEncryptionKey("k1", SecretCipher.generateKey())
                .withClock(clock)
                .withBackgroundInterval(Duration.ZERO)
                .withProvider(new StripeProvider(), dev.junction.core.spi.Settings.EMPTY)).build();
        connection = hub.createConnection(NewConnection.of(TENANT, StripeProvider.ID)
                .withSetting(StripeProvider.BASE_URL, sandbox.baseUrl())
                .withSetting(StripeProvider.API_KEY, StripeSandbox.DEFAULT_KEY));
    }

    @AfterEach
    void stop() {
        if (receiver != null) receiver.close();
        if (hub != null) hub.close();
        if (database != null) database.close();
        if (sandbox != null) sandbox.close();
    }

    private SyncRun sync(SyncRequest request) {
        SyncRun run = hub.sync(TENANT, connection.id(), request);
        assertThat(run.status()).as(run.toString()).isEqualTo(SyncStatus.SUCCEEDED);
        return run;
    }

    private JsonNode raw(String entity, String id) {
        RawRecord raw = hub.getRawRecord(TENANT, connection.id(), entity, id).orElseThrow();
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(raw.payload());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ---- connections ---------------------------------------------------------------------------------------------

    @Test
    void aMalformedKeyIsRefusedWithInvalidInputAndNothingIsStored() {
        start(TestDatabase.Kind.EMBEDDED, UnaryOperator.identity());
        for (String bad : List.of("pk_test_abcdefghijkl", "sk_prod_abcdefghijkl", "sk_test_", "whsec_abcdefghijkl", "sk_test_abc def ghi")) {
            assertThatThrownBy(() -> hub.createConnection(NewConnection.of("other", StripeProvider.ID)
                    .withSetting(StripeProvider.API_KEY, bad)))
                    .isInstanceOf(JunctionException.class)
                    .satisfies(error -> {
                        assertThat(((JunctionException) error).kind()).isEqualTo(ErrorKind.INVALID_INPUT);
                        assertThat(error.getMessage()).doesNotContain("abcdefghijkl").doesNotContain("abc def");
                    });
        }
        assertThat(hub.listConnections("other")).isEmpty();
        for (String good : List.of(FakeKeys.live("abcdefghijkl"), "rk_test_abcdefghijkl", FakeKeys.restrictedLive("ABCDEF123456"))) {
            assertThat(hub.createConnection(NewConnection.of("other", StripeProvider.ID).withSetting(StripeProvider.API_KEY, good)))
                    .isNotNull();
        }
    }

    // ---- sync -------------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aFullSyncCompletesNestedListsThatSayHasMoreAndPinsTheApiVersion(TestDatabase.Kind kind) {
        start(kind, builder -> builder.withItemsOnFirstSubscription(12).withLinesOnFirstInvoice(13));
        String subscriptionId = sandbox.object("subscriptions", firstSubscription()).orElseThrow().path("id").asText();

        sync(SyncRequest.full());

        for (String entity : ALL) {
            assertThat(hub.liveIds(TENANT, connection.id(), entity)).as(entity).containsExactlyInAnyOrderElementsOf(sandbox.liveIds(entity));
        }
        JsonNode stored = raw("subscriptions", subscriptionId);
        assertThat(stored.path("items").path("data")).hasSize(12);
        assertThat(stored.path("items").path("has_more").asBoolean()).isFalse();
        Subscription unified = hub.getRecord(TENANT, connection.id(), Subscription.class, subscriptionId).orElseThrow().record();
        assertThat(unified.items()).hasSize(12);
        String firstInvoice = sandbox.liveIds("invoices").stream()
                .filter(id -> sandbox.object("invoices", id).orElseThrow().path("lines").path("total_count").asInt() == 13)
                .findFirst().orElseThrow();
        assertThat(raw("invoices", firstInvoice).path("lines").path("data")).hasSize(13);
        assertThat(hub.getRecord(TENANT, connection.id(), Invoice.class, firstInvoice)).isPresent();
        assertThat(sandbox.requestLog().entries("/v1/subscription_items")).isNotEmpty();
        assertThat(sandbox.requestLog().entries("/v1/invoices/" + firstInvoice + "/lines")).isNotEmpty();
        assertThat(sandbox.requestLog().entries()).allSatisfy(request ->
                assertThat(request.headers()).containsEntry("Stripe-Version", StripeProvider.API_VERSION));
        assertThat(sandbox.requestLog().entries("/v1/customers")).allSatisfy(request ->
                assertThat(request.queryParameter("limit")).isEqualTo("100"));
    }

    private String firstSubscription() {
        return sandbox.liveIds("subscriptions").stream()
                .filter(id -> sandbox.object("subscriptions", id).orElseThrow().path("items").path("total_count").asInt() > 1)
                .findFirst().orElseThrow();
    }

    @Test
    void anIncrementalSyncReadsEventsAndTurnsDeletionsIntoTombstones() {
        start(TestDatabase.Kind.EMBEDDED, UnaryOperator.identity());
        sync(SyncRequest.full());
        List<String> ids = new ArrayList<>(sandbox.liveIds("customers"));
        clock.advance(Duration.ofSeconds(5));
        String created = sandbox.createCustomer("New", "new@example.com");
        sandbox.updateCustomer(ids.get(0), "Renamed");
        sandbox.updateCustomer(ids.get(0), "Renamed twice");
        sandbox.deleteCustomer(ids.get(1));
        sandbox.requestLog().clear();

        SyncRun run = sync(SyncRequest.incremental().only("customers"));

        assertThat(hub.liveIds(TENANT, connection.id(), "customers")).contains(created, ids.get(0)).doesNotContain(ids.get(1));
        assertThat(raw("customers", ids.get(0)).path("name").asText()).as("the newest event wins").isEqualTo("Renamed twice");
        assertThat(run.entity("customers").orElseThrow().deleted()).isEqualTo(1);
        assertThat(sandbox.requestLog().entries()).extracting(LoggedRequest::path).containsOnly("/v1/events");
        LoggedRequest events = sandbox.requestLog().entries().get(0);
        assertThat(events.queryParameters().get("types[]")).containsExactlyInAnyOrderElementsOf(StripeEntity.CUSTOMERS.eventTypes());
        assertThat(events.queryParameter("created[gte]")).isNotNull();
    }

    @Test
    void anIncrementalSyncOlderThanThirtyDaysOfEventsReListsTheEntity() {
        start(TestDatabase.Kind.EMBEDDED, UnaryOperator.identity());
        sync(SyncRequest.full().only("customers"));
        clock.advance(Duration.ofDays(31));
        String created = sandbox.createCustomer("After a month", "month@example.com");
        sandbox.requestLog().clear();

        sync(SyncRequest.incremental().only("customers"));

        assertThat(hub.liveIds(TENANT, connection.id(), "customers")).contains(created).hasSize(31);
        assertThat(sandbox.requestLog().entries()).extracting(LoggedRequest::path).containsOnly("/v1/customers");
    }

    // ---- billing ----------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void billingStatusFollowsTrialActivePastDueRecoveryAndCancellationWithItsHistory(TestDatabase.Kind kind) {
        start(kind, UnaryOperator.identity());
        sync(SyncRequest.full());
        StripeBilling billing = new StripeBilling(hub);
        String price = sandbox.liveIds("prices").iterator().next();

        String customer = hub.runAction(TENANT, connection.id(), StripeActions.CREATE_CUSTOMER,
                input().put("name", "Ada").put("email", "ada@example.com"), "create-ada").result().path("id").asText();
        String subscription = hub.runAction(TENANT, connection.id(), StripeActions.CREATE_SUBSCRIPTION,
                input().put("customer", customer).put("price", price).put("trial_period_days", 14), "subscribe-ada")
                .result().path("id").asText();
        step();
        assertThat(billing.status(TENANT, connection.id(), customer).orElseThrow().status()).isEqualTo("trial");

        sandbox.setSubscriptionStatus(subscription, "active");
        step();
        assertThat(billing.status(TENANT, connection.id(), customer).orElseThrow().status()).isEqualTo("active");

        sandbox.billSubscription(subscription, false);
        step();
        assertThat(billing.status(TENANT, connection.id(), customer).orElseThrow().status()).isEqualTo("past_due");

        sandbox.billSubscription(subscription, true);
        step();
        assertThat(billing.status(TENANT, connection.id(), customer).orElseThrow().status()).isEqualTo("active");

        hub.runAction(TENANT, connection.id(), StripeActions.CANCEL_SUBSCRIPTION, input().put("id", subscription), "cancel-ada");
        step();
        StripeBilling.CustomerBilling ada = billing.status(TENANT, connection.id(), customer).orElseThrow();

        assertThat(ada.status()).isEqualTo("canceled");
        assertThat(ada.subscriptionId()).isEqualTo(subscription);
        assertThat(collapse(ada.history().stream().map(StripeBilling.BillingChange::status).toList()))
                .containsExactly("trial", "active", "past_due", "active", "canceled");
        assertThat(ada.history()).extracting(StripeBilling.BillingChange::eventType)
                .contains("customer.subscription.created", "invoice.payment_failed", "invoice.payment_succeeded",
                        "customer.subscription.deleted");
        assertThat(hub.getRecord(TENANT, connection.id(), Subscription.class, subscription).orElseThrow().record().status())
                .isEqualTo("canceled");
    }

    /** Moves time on (events of one step share a second) and runs an incremental sync of everything. */
    private void step() {
        clock.advance(Duration.ofSeconds(2));
        sync(SyncRequest.incremental());
        clock.advance(Duration.ofSeconds(2));
    }

    private static List<String> collapse(List<String> statuses) {
        List<String> out = new ArrayList<>();
        for (String status : statuses) {
            if (out.isEmpty() || !out.get(out.size() - 1).equals(status)) {
                out.add(status);
            }
        }
        return out;
    }

    @Test
    void billingStatusIsKeptCurrentByWebhooksWithoutASync() {
        start(TestDatabase.Kind.EMBEDDED, UnaryOperator.identity());
        sync(SyncRequest.full());
        receiver = WebhookTestReceiver.start(hub, clock);
        List<dev.junction.core.spi.WebhookSubscription> registered = hub.enableWebhooks(TENANT, connection.id(), receiver.baseUrl());
        assertThat(registered).singleElement().satisfies(subscription -> {
            assertThat(subscription.status()).isEqualTo("enabled");
            assertThat(subscription.expiresAt()).isNull();
        });
        String subscription = sandbox.liveIds("subscriptions").iterator().next();
        String customer = sandbox.object("subscriptions", subscription).orElseThrow().path("customer").asText();
        StripeBilling billing = new StripeBilling(hub);
        assertThat(billing.status(TENANT, connection.id(), customer).orElseThrow().status()).isEqualTo("active");

        sandbox.billSubscription(subscription, false);
        assertThat(sandbox.awaitWebhooks(Duration.ofSeconds(10))).isTrue();
        hub.processWebhooks();

        assertThat(billing.status(TENANT, connection.id(), customer).orElseThrow().status()).isEqualTo("past_due");
        assertThat(sandbox.webhookDeliveries()).allSatisfy(delivery -> {
            assertThat(delivery.status()).isEqualTo(200);
            assertThat(delivery.headers()).containsKey("Stripe-Signature");
        });
        // The same signed delivery presented more than 300 s after it was signed is stale; without its header, unsigned.
        WebhookTestReceiver.Received delivered = receiver.received().stream().filter(received -> received.status() == 200)
                .reduce((first, second) -> second).orElseThrow();
        dev.junction.core.spi.WebhookRequest late = new dev.junction.core.spi.WebhookRequest(delivered.request().headers(),
                delivered.request().body(), delivered.request().receivedAt().plusSeconds(301));
        dev.junction.core.spi.WebhookRequest unsigned = new dev.junction.core.spi.WebhookRequest(java.util.Map.of(),
                delivered.request().body(), delivered.request().receivedAt());
        for (dev.junction.core.spi.WebhookRequest rejected : List.of(late, unsigned)) {
            assertThatThrownBy(() -> hub.receiveWebhook(delivered.token(), rejected)).isInstanceOf(JunctionException.class)
                    .extracting("kind").isEqualTo(ErrorKind.WEBHOOK_REJECTED);
        }
        assertThat(hub.receiveWebhook(delivered.token(), delivered.request()).accepted()).as("a redelivery is deduplicated").isZero();
        assertThat(hub.maintainWebhooks()).isNotNull();
        assertThat(hub.webhookSubscriptions(TENANT, connection.id())).extracting(dev.junction.core.spi.WebhookSubscription::id)
                .containsExactly(registered.get(0).id());

        assertThat(hub.disableWebhooks(TENANT, connection.id())).isEqualTo(1);
        // The sandbox logs a request after answering it, so the entry may trail the answer by a moment.
        String endpoint = "/v1/webhook_endpoints/" + registered.get(0).id();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (sandbox.requestLog().entries(endpoint).isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(sandbox.requestLog().entries(endpoint)).extracting(LoggedRequest::method).containsExactly("DELETE");
        assertThat(sandbox.liveIds("customers")).isNotEmpty();
    }

    // ---- actions ----------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aCreateRunsOncePerKeyAndALostAnswerIsRetriedWithTheSameIdempotencyKey(TestDatabase.Kind kind) {
        start(kind, UnaryOperator.identity(), builder -> builder.withRateLimit(StripeProvider.ID, RateLimitPolicy.UNLIMITED)
                .withHttpTimeout(Duration.ofMillis(700))
                .withRetry(RetrySettings.defaults().withBackoff(Duration.ofMillis(50), Duration.ofMillis(100))));
        int before = sandbox.liveIds("customers").size();
        // The first POST is answered only after the client gave up: Stripe created the customer, the answer is lost.
        sandbox.faults().next(1).onPath("/v1/customers").onMethod("POST").respondWith(Fault.delay(Duration.ofMillis(1_500)));

        ActionResult first = hub.runAction(TENANT, connection.id(), StripeActions.CREATE_CUSTOMER,
                input().put("email", "grace@example.com"), "grace-1");
        ActionResult again = hub.runAction(TENANT, connection.id(), StripeActions.CREATE_CUSTOMER,
                input().put("email", "grace@example.com"), "grace-1");

        awaitQuiet();
        assertThat(sandbox.liveIds("customers")).hasSize(before + 1);
        assertThat(first.replayed()).isFalse();
        assertThat(again.replayed()).isTrue();
        assertThat(again.result().path("id").asText()).isEqualTo(first.result().path("id").asText());
        List<LoggedRequest> posts = sandbox.requestLog().entries("/v1/customers").stream()
                .filter(request -> request.method().equals("POST")).toList();
        assertThat(posts).hasSize(2);
        assertThat(posts).extracting(request -> request.headers().get("Idempotency-Key")).doesNotContainNull()
                .containsOnly(posts.get(0).headers().get("Idempotency-Key"));
        assertThatThrownBy(() -> hub.runAction(TENANT, connection.id(), StripeActions.CREATE_CUSTOMER,
                input().put("email", "other@example.com"), "grace-1"))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.CONFLICT);
    }

    private void awaitQuiet() {
        try {
            Thread.sleep(1_700); // the delayed first POST finishes on the sandbox after the client gave up
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void differentKeysCreateDifferentSubscriptionsAndBadInputIsRefusedBeforeAnyRequest() {
        start(TestDatabase.Kind.EMBEDDED, UnaryOperator.identity());
        String customer = sandbox.liveIds("customers").iterator().next();
        String price = sandbox.liveIds("prices").iterator().next();

        String one = hub.runAction(TENANT, connection.id(), StripeActions.CREATE_SUBSCRIPTION,
                input().put("customer", customer).put("price", price), "a").result().path("id").asText();
        String two = hub.runAction(TENANT, connection.id(), StripeActions.CREATE_SUBSCRIPTION,
                input().put("customer", customer).put("price", price), "b").result().path("id").asText();

        assertThat(one).isNotEqualTo(two);
        long requests = sandbox.requestLog().totalCount();
        for (ObjectNode bad : List.of(input().put("customer", "nope").put("price", price),
                input().put("customer", customer), input().put("customer", customer).put("price", price).put("quantity", 0),
                input().put("customer", customer).put("price", price).put("coupon", "X"))) {
            assertThatThrownBy(() -> hub.runAction(TENANT, connection.id(), StripeActions.CREATE_SUBSCRIPTION, bad, "bad-" + bad.hashCode()))
                    .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.INVALID_INPUT);
        }
        assertThat(sandbox.requestLog().totalCount()).isEqualTo(requests);
    }

    private static ObjectNode input() {
        return JsonNodeFactory.instance.objectNode();
    }
}
