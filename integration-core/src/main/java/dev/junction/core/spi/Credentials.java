package dev.junction.core.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A connection's credentials, as core stores them (encrypted) and hands them to a connector. Every
 * {@code toString()} hides the secret parts.
 */
public sealed interface Credentials {

    /** Tokens from an OAuth 2.0 code exchange or refresh. {@code expiresAt} and {@code refreshToken} may be null. */
    record OAuthTokens(String accessToken, String refreshToken, Instant expiresAt, String scope) implements Credentials {
        public OAuthTokens {
            Objects.requireNonNull(accessToken, "accessToken");
        }

        public Optional<Instant> expiry() {
            return Optional.ofNullable(expiresAt);
        }

        @Override
        public String toString() {
            return "OAuthTokens[accessToken=***, refreshToken=" + (refreshToken == null ? "none" : "***")
                    + ", expiresAt=" + expiresAt + ", scope=" + scope + "]";
        }
    }

    /** No credentials stored: settings alone (API key in a secret setting) authenticate. */
    record None() implements Credentials {}
}
