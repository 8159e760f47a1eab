package dev.junction.core.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.core.HubObserver;
import dev.junction.core.http.internal.JsonBodies;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings for an {@link HttpStack}. Defaults: the system UTC clock, real sleeping, a 10 second connect timeout,
 * {@link HttpLogLevel#SUMMARY} logging and a Jackson mapper with java.time support that ignores unknown
 * properties. Not thread-safe; {@link #build()} copies the settings, so a builder may be reused.
 */
public final class HttpStackBuilder {

    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = Sleeper.SYSTEM;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private HttpLogLevel logLevel = HttpLogLevel.SUMMARY;
    private ObjectMapper objectMapper;
    private HubObserver observer = HubObserver.NONE;

    HttpStackBuilder() {
    }

    public HttpStackBuilder withClock(Clock value) {
        clock = Objects.requireNonNull(value, "clock");
        return this;
    }

    public HttpStackBuilder withSleeper(Sleeper value) {
        sleeper = Objects.requireNonNull(value, "sleeper");
        return this;
    }

    public HttpStackBuilder withConnectTimeout(Duration value) {
        Objects.requireNonNull(value, "connectTimeout");
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive, was " + value);
        }
        connectTimeout = value;
        return this;
    }

    public HttpStackBuilder withLogLevel(HttpLogLevel value) {
        logLevel = Objects.requireNonNull(value, "logLevel");
        return this;
    }

    /** The mapper for {@link ProviderHttpClient#executeJson} and Feign encoding and decoding. */
    public HttpStackBuilder withObjectMapper(ObjectMapper value) {
        objectMapper = Objects.requireNonNull(value, "objectMapper");
        return this;
    }

    /** Hears every request sent (provider, method, status or failure, latency) and every rate-limit wait. */
    public HttpStackBuilder withObserver(HubObserver value) {
        observer = Objects.requireNonNull(value, "observer");
        return this;
    }

    public HttpStack build() {
        return new HttpStack(clock, sleeper, connectTimeout, logLevel,
                objectMapper == null ? JsonBodies.standardMapper() : objectMapper, observer);
    }
}
