package dev.junction.sandbox;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The tokens an {@link OAuthAuthorizationServer} issued for one grant.
 *
 * @param accessToken the bearer token for resource requests
 * @param expiresIn the access token's lifetime in seconds
 * @param refreshToken the token that obtains new access tokens
 */
public record OAuthTokens(String accessToken, long expiresIn, String refreshToken) {

    /** Checks for nulls. */
    public OAuthTokens {
        Objects.requireNonNull(accessToken, "accessToken");
        Objects.requireNonNull(refreshToken, "refreshToken");
    }

    /** The token endpoint's JSON body: {@code access_token, token_type, expires_in, refresh_token}. */
    public Map<String, Object> toResponseBody() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", accessToken);
        body.put("token_type", "bearer");
        body.put("expires_in", expiresIn);
        body.put("refresh_token", refreshToken);
        return body;
    }

    @Override
    public String toString() {
        return "OAuthTokens[expiresIn=" + expiresIn + ", tokens redacted]";
    }
}
