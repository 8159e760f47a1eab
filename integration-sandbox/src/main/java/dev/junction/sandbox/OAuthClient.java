package dev.junction.sandbox;

import java.util.List;
import java.util.Objects;

/**
 * An application registered with an {@link OAuthAuthorizationServer}.
 *
 * @param clientId the public client identifier
 * @param clientSecret the confidential secret
 * @param redirectUris the exact redirect URIs the client may use
 */
public record OAuthClient(String clientId, String clientSecret, List<String> redirectUris) {

    /** Checks for nulls and copies the list. */
    public OAuthClient {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        redirectUris = List.copyOf(redirectUris);
    }

    /** A client with a single redirect URI. */
    public static OAuthClient of(String clientId, String clientSecret, String redirectUri) {
        return new OAuthClient(clientId, clientSecret, List.of(redirectUri));
    }

    @Override
    public String toString() {
        return "OAuthClient[clientId=" + clientId + ", redirectUris=" + redirectUris + "]";
    }
}
