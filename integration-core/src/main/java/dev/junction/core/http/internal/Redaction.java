package dev.junction.core.http.internal;

import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;

/**
 * Decides what is secret in one client's traffic and hides it: header values, query parameter values, and
 * credential values that a provider echoes back in an error body.
 *
 * <p>Thread-safe: the authenticator's header names are learnt while calls run.
 */
public final class Redaction {

    public static final String REDACTED = "[redacted]";

    private static final Set<String> STANDARD_SECRET_HEADERS = Set.of("authorization", "proxy-authorization", "cookie",
            "set-cookie", "api_access_token", "auth", "x-hook-secret", "stripe-signature");

    private static final Set<String> SECRET_QUERY_PARAMETERS = Set.of("access_token", "refresh_token", "client_secret",
            "code", "code_verifier", "api_key", "token", "password", "custom_action_nonce");

    private static final Pattern BEARER_CREDENTIAL = Pattern.compile("(?i)\\b(bearer)\\s+[A-Za-z0-9._~+/=-]{8,}");

    /** Shorter values are not scrubbed from text: they would match ordinary words. */
    private static final int MINIMUM_SCRUBBED_LENGTH = 6;

    private final Set<String> secretHeaders = ConcurrentHashMap.newKeySet();

    public Redaction(Collection<String> extraSecretHeaders) {
        secretHeaders.addAll(STANDARD_SECRET_HEADERS);
        learnSecretHeaders(extraSecretHeaders);
    }

    /** Marks more header names as secret (the authenticator's, as they are first seen). */
    public void learnSecretHeaders(Collection<String> names) {
        for (String name : names) {
            secretHeaders.add(name.toLowerCase(Locale.ROOT));
        }
    }

    public boolean isSecretHeader(String name) {
        return secretHeaders.contains(name.toLowerCase(Locale.ROOT));
    }

    /** {@code value}, or {@link #REDACTED} when header {@code name} is secret. */
    public String headerValue(String name, String value) {
        return isSecretHeader(name) ? REDACTED : value;
    }

    /** The URL without user info and with the values of secret query parameters replaced. */
    public static String url(HttpUrl url) {
        StringBuilder text = new StringBuilder(url.newBuilder().username("").password("").query(null).build().toString());
        for (int index = 0; index < url.querySize(); index++) {
            String name = url.queryParameterName(index);
            String value = url.queryParameterValue(index);
            text.append(index == 0 ? '?' : '&').append(name);
            if (value != null) {
                text.append('=').append(SECRET_QUERY_PARAMETERS.contains(name.toLowerCase(Locale.ROOT)) ? REDACTED : value);
            }
        }
        return text.toString();
    }

    /** Like {@link #url(HttpUrl)} for text that may or may not be a URL; anything unparseable loses its query. */
    public static String urlText(String text) {
        HttpUrl url = HttpUrl.parse(text);
        if (url != null) {
            return url(url);
        }
        int queryStart = text.indexOf('?');
        return queryStart < 0 ? text : text.substring(0, queryStart) + "?" + REDACTED;
    }

    /**
     * {@code text} with every occurrence of the given credential values, and anything that looks like a bearer
     * token, replaced.
     */
    public static String scrub(String text, Collection<String> secretValues) {
        String scrubbed = text;
        for (String secret : secretValues) {
            if (secret != null && secret.length() >= MINIMUM_SCRUBBED_LENGTH) {
                scrubbed = scrubbed.replace(secret, REDACTED);
                // An Authorization value is "Bearer <token>": the token alone may be echoed too.
                int space = secret.indexOf(' ');
                if (space > 0 && secret.length() - space - 1 >= MINIMUM_SCRUBBED_LENGTH) {
                    scrubbed = scrubbed.replace(secret.substring(space + 1), REDACTED);
                }
            }
        }
        return BEARER_CREDENTIAL.matcher(scrubbed).replaceAll("$1 " + REDACTED);
    }
}
