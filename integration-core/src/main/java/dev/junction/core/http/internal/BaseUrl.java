package dev.junction.core.http.internal;

import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;

/**
 * A client's base URL: turns call paths into URLs and keeps every request on the base URL's origin, so a
 * connection's credentials are never sent to a host named in a provider's payload. Immutable and thread-safe.
 */
public record BaseUrl(HttpUrl url) {

    private static final Pattern HAS_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

    public BaseUrl {
        Objects.requireNonNull(url, "url");
    }

    public static BaseUrl parse(String baseUrl) {
        return new BaseUrl(Objects.requireNonNull(HttpUrl.parse(baseUrl), "baseUrl is not an http or https URL"));
    }

    /**
     * The URL for {@code pathOrUrl} with {@code query} added: a path is appended to the base URL's path, an
     * absolute URL is used verbatim after {@link #requireSameOrigin}.
     */
    public HttpUrl resolve(String pathOrUrl, Map<String, List<String>> query, ErrorContext context) {
        HttpUrl resolved;
        if (HAS_SCHEME.matcher(pathOrUrl).find()) {
            resolved = HttpUrl.parse(pathOrUrl);
            if (resolved == null) {
                throw new JunctionException(ErrorKind.INVALID_REQUEST,
                        "refusing a URL that is not http or https: " + Redaction.urlText(pathOrUrl), context);
            }
            requireSameOrigin(resolved, context);
        } else {
            String base = url.toString().replaceAll("/+$", "");
            String path = pathOrUrl.replaceAll("^/+", "");
            String separator = path.isEmpty() || path.startsWith("?") ? "" : "/";
            resolved = HttpUrl.parse(base + separator + path);
            if (resolved == null) {
                throw new JunctionException(ErrorKind.INVALID_REQUEST,
                        "cannot append path " + Redaction.urlText(pathOrUrl) + " to the base URL", context);
            }
        }
        if (query.isEmpty()) {
            return resolved;
        }
        HttpUrl.Builder builder = resolved.newBuilder();
        query.forEach((name, values) -> values.forEach(value -> builder.addQueryParameter(name, value)));
        return builder.build();
    }

    /** {@code candidate} when it has the base URL's scheme, host and port; INVALID_REQUEST otherwise. */
    public HttpUrl requireSameOrigin(HttpUrl candidate, ErrorContext context) {
        boolean sameOrigin = candidate.scheme().equals(url.scheme())
                && candidate.host().equalsIgnoreCase(url.host())
                && candidate.port() == url.port();
        if (!sameOrigin) {
            throw new JunctionException(ErrorKind.INVALID_REQUEST, "refusing to send the connection's credentials to "
                    + candidate.scheme() + "://" + candidate.host() + ":" + candidate.port() + "; only "
                    + url.scheme() + "://" + url.host() + ":" + url.port() + " may receive them", context);
        }
        return candidate;
    }

    /** {@link #requireSameOrigin(HttpUrl, ErrorContext)} for a URL Feign built. */
    public HttpUrl requireSameOrigin(String candidate, ErrorContext context) {
        HttpUrl parsed = HttpUrl.parse(candidate);
        if (parsed == null) {
            throw new JunctionException(ErrorKind.INVALID_REQUEST,
                    "refusing a URL that is not http or https: " + Redaction.urlText(candidate), context);
        }
        return requireSameOrigin(parsed, context);
    }
}
