package dev.junction.core.internal.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.error.NeedsReauthException;
import dev.junction.core.error.ProviderUnavailableException;
import dev.junction.core.internal.Json;
import dev.junction.core.spi.Credentials;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import okhttp3.FormBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Talks to an OAuth 2.0 token endpoint (RFC 6749 section 4.1.3 and 6): code exchange and refresh. Request bodies
 * carry secrets, so nothing here logs them; errors name the endpoint's {@code error} code only. Thread-safe.
 */
public final class TokenEndpoint {

    private final OkHttpClient http;
    private final Clock clock;

    public TokenEndpoint(OkHttpClient http, Clock clock) {
        this.http = http;
        this.clock = clock;
    }

    public Credentials.OAuthTokens exchangeCode(String tokenUrl, Map<String, String> form, ErrorContext context) {
        return post(tokenUrl, form, context, null);
    }

    /**
     * Refreshes tokens. When the response has no new refresh token, the old one stays valid (Clio Manage) and is
     * kept.
     *
     * @throws NeedsReauthException on {@code invalid_grant}: the refresh token is revoked or expired
     */
    public Credentials.OAuthTokens refresh(String tokenUrl, Map<String, String> form, String currentRefreshToken, ErrorContext context) {
        return post(tokenUrl, form, context, currentRefreshToken);
    }

    private Credentials.OAuthTokens post(String tokenUrl, Map<String, String> form, ErrorContext context, String previousRefreshToken) {
        FormBody.Builder body = new FormBody.Builder();
        form.forEach((name, value) -> {
            if (value != null) body.add(name, value);
        });
        Request request = new Request.Builder().url(tokenUrl).post(body.build()).header("Accept", "application/json").build();
        IOException last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            try (Response response = http.newCall(request).execute()) {
                ResponseBody responseBody = response.body();
                String text = responseBody == null ? "" : responseBody.string();
                ErrorContext withStatus = context.withHttpStatus(response.code());
                if (response.code() >= 500) {
                    last = new IOException("token endpoint answered " + response.code());
                    continue;
                }
                JsonNode json = parse(text, withStatus);
                if (!response.isSuccessful()) {
                    String error = json.path("error").asText("unknown_error");
                    if ("invalid_grant".equals(error)) {
                        throw new NeedsReauthException("the provider rejected the grant (invalid_grant): the user must authorise again", withStatus);
                    }
                    throw new JunctionException(ErrorKind.INVALID_REQUEST, "token endpoint refused the request: " + error, withStatus);
                }
                String accessToken = json.path("access_token").asText(null);
                if (accessToken == null || accessToken.isBlank()) {
                    throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "token response has no access_token", withStatus);
                }
                String refreshToken = json.path("refresh_token").asText(null);
                Instant expiresAt = json.hasNonNull("expires_in")
                        ? clock.instant().plusSeconds(json.get("expires_in").asLong()) : null;
                return new Credentials.OAuthTokens(accessToken, refreshToken != null ? refreshToken : previousRefreshToken,
                        expiresAt, json.path("scope").asText(null));
            } catch (IOException e) {
                last = e;
            }
        }
        throw new ProviderUnavailableException("token endpoint unavailable: " + (last == null ? "" : last.getMessage()), null, context, last);
    }

    private static JsonNode parse(String text, ErrorContext context) {
        try {
            return Json.MAPPER.readTree(text.isEmpty() ? "{}" : text);
        } catch (IOException e) {
            throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "token endpoint answered with malformed JSON", context);
        }
    }
}
