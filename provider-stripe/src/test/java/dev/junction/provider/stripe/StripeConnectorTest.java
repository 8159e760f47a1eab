package dev.junction.provider.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.core.http.HttpClientSpec;
import dev.junction.core.http.HttpStack;
import dev.junction.core.http.ProviderHttpClient;
import dev.junction.core.http.Sleeper;
import dev.junction.core.spi.ConnectorContext;
import dev.junction.core.spi.Credentials;
import dev.junction.core.spi.FetchRequest;
import dev.junction.core.spi.Page;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.core.spi.RemoteRecord;
import dev.junction.core.spi.Settings;
import dev.junction.provider.stripe.sandbox.StripeSandbox;
import dev.junction.sandbox.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The connector on its own, page by page, against StripeSandbox. */
class StripeConnectorTest {

    private final MutableClock clock = MutableClock.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private final HttpStack stack = HttpStack.create(clock, Sleeper.SYSTEM);
    private StripeSandbox sandbox;

    @AfterEach
    void stop() {
        stack.close();
        if (sandbox != null) sandbox.close();
    }

    private ConnectorContext context() {
        return new ConnectorContext() {
            @Override public String tenantId() { return "t"; }
            @Override public String connectionId() { return "c"; }
            @Override public Settings connectionSettings() {
                return Settings.of(StripeProvider.API_KEY, StripeSandbox.DEFAULT_KEY, StripeProvider.BASE_URL, sandbox.baseUrl());
            }
            @Override public Settings providerSettings() { return Settings.EMPTY; }
            @Override public Clock clock() { return clock; }
            @Override public ProviderHttpClient http(String baseUrl, HttpCustomizer customizer) {
                // No proactive budget: the clock is frozen and a spent budget would never refill.
                HttpClientSpec prepared = HttpClientSpec.of(StripeProvider.ID, "c", baseUrl).withRateLimit(RateLimitPolicy.UNLIMITED);
                return stack.client(customizer.customize(prepared, new Credentials.None()));
            }
        };
    }

    @Test
    void aPassResumedFromItsCursorInANewConnectorStillKeepsTheNewestStateOfEachObject() {
        sandbox = StripeSandbox.builder().withClock(clock).withCount("customers", 3).start();
        Instant since = clock.instant();
        String customer = sandbox.liveIds("customers").iterator().next();
        sandbox.updateCustomer(customer, "First");
        clock.advance(Duration.ofSeconds(1));
        sandbox.updateCustomer(customer, "Second");
        clock.advance(Duration.ofSeconds(1));
        sandbox.updateCustomer(customer, "Newest");
        FetchRequest request = new FetchRequest(StripeEntity.CUSTOMERS.type(), Optional.empty(), Optional.of(since), clock.instant(), 1);

        Page first = new StripeProvider().connect(context()).fetch(request);
        // The process dies after the first page; a new connector resumes from the stored cursor.
        var resumed = new StripeProvider().connect(context());
        List<RemoteRecord> rest = new ArrayList<>();
        Optional<String> cursor = first.nextCursor();
        while (cursor.isPresent()) {
            Page page = resumed.fetch(request.withCursor(cursor.get()));
            rest.addAll(page.records());
            cursor = page.nextCursor();
        }

        assertThat(first.records()).singleElement().satisfies(record -> assertThat(record.payload().path("name").asText()).isEqualTo("Newest"));
        assertThat(rest).as("older snapshots of the same customer on later pages").isEmpty();
    }

    @Test
    void aFullPassListsTheEntityAndAnUnknownCursorIsRefused() {
        sandbox = StripeSandbox.builder().withClock(clock).withCount("customers", 5).start();
        FetchRequest full = new FetchRequest(StripeEntity.CUSTOMERS.type(), Optional.empty(), Optional.empty(), clock.instant(), 2);
        var connector = new StripeProvider().connect(context());

        Page page = connector.fetch(full);

        assertThat(page.records()).hasSize(2);
        assertThat(page.nextCursor()).hasValueSatisfying(cursor -> assertThat(cursor).startsWith("list:cus_"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> connector.fetch(full.withCursor("cus_123")))
                .isInstanceOf(dev.junction.core.error.JunctionException.class);
    }

    @Test
    void fetchOneReturnsEmptyForADeletedCustomer() {
        sandbox = StripeSandbox.builder().withClock(clock).withCount("customers", 2).start();
        String customer = sandbox.liveIds("customers").iterator().next();
        var connector = new StripeProvider().connect(context());
        assertThat(connector.fetchOne(StripeEntity.CUSTOMERS.type(), customer)).isPresent();

        sandbox.deleteCustomer(customer);

        assertThat(connector.fetchOne(StripeEntity.CUSTOMERS.type(), customer)).isEmpty();
        assertThat(connector.fetchOne(StripeEntity.CUSTOMERS.type(), "cus_doesnotexist")).isEmpty();
    }
}
