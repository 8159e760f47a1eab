package dev.junction.sandbox;

import java.time.Instant;
import java.util.Objects;

/**
 * A valid access token and what it grants.
 *
 * @param accessToken the token itself
 * @param clientId the application it was issued to
 * @param subject the resource owner (for instance a provider user id)
 * @param expiresAt when the token stops working
 */
public record AccessGrant(String accessToken, String clientId, String subject, Instant expiresAt) {

    /** Checks for nulls. */
    public AccessGrant {
        Objects.requireNonNull(accessToken, "accessToken");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    @Override
    public String toString() {
        return "AccessGrant[clientId=" + clientId + ", subject=" + subject + ", expiresAt=" + expiresAt + "]";
    }
}
