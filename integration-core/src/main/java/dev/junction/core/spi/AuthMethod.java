package dev.junction.core.spi;

import java.util.List;

/**
 * How a provider authenticates. Core owns the flows (authorize URL, code exchange, refresh with a database
 * lock, encrypted storage); the provider only describes them.
 */
public sealed interface AuthMethod {

    /**
     * OAuth 2.0 authorization-code grant. Endpoints may depend on a connection's settings (Clio's region), so
     * the provider computes them in {@link Provider#oauthEndpoints}.
     *
     * @param scopes scopes to request, empty when the provider configures scopes in the app instead
     * @param pkce whether to send an S256 PKCE challenge
     */
    record OAuth2(List<String> scopes, boolean pkce) implements AuthMethod {
        public OAuth2 {
            scopes = List.copyOf(scopes);
        }
    }

    /** A static API key, held in the named secret connection setting; the connector decides how to send it. */
    record ApiKey(String settingName) implements AuthMethod {}

    /** HTTP Basic with a username and password held in secret connection settings. */
    record Basic(String usernameSetting, String passwordSetting) implements AuthMethod {}

    /** Where to send the user and where to exchange codes, for one connection. */
    record OAuthEndpoints(String authorizeUrl, String tokenUrl) {}
}
