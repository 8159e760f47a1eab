package dev.junction.core.http.internal;

import dev.junction.core.http.HttpLogLevel;
import java.io.IOException;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import okhttp3.Headers;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs each request at debug level with secrets redacted: one summary line (method, URL, status, time to the
 * response headers, request id) and, at {@link HttpLogLevel#HEADERS}, the headers. Secret headers come from
 * {@link Redaction}; secret query parameters are redacted from the URL; bodies are never logged.
 *
 * <p>Thread-safe.
 */
public final class RedactingLoggingInterceptor implements Interceptor {

    private static final Logger LOG = LoggerFactory.getLogger(RedactingLoggingInterceptor.class);

    private final HttpLogLevel level;
    private final Redaction redaction;

    public RedactingLoggingInterceptor(HttpLogLevel level, Redaction redaction) {
        this.level = Objects.requireNonNull(level, "level");
        this.redaction = Objects.requireNonNull(redaction, "redaction");
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        if (level == HttpLogLevel.NONE || !LOG.isDebugEnabled()) {
            return chain.proceed(request);
        }
        String url = Redaction.url(request.url());
        if (level == HttpLogLevel.HEADERS) {
            LOG.debug("--> {} {} {}", request.method(), url, headers(request.headers()));
        }
        long started = System.nanoTime();
        Response response;
        try {
            response = chain.proceed(request);
        } catch (IOException failure) {
            LOG.debug("<-- {} {} failed after {} ms: {}", request.method(), url, millisecondsSince(started),
                    failure.getClass().getSimpleName());
            throw failure;
        }
        String requestId = RequestIds.find(response::header);
        LOG.debug("<-- {} {} {} in {} ms{}", request.method(), url, response.code(), millisecondsSince(started),
                requestId == null ? "" : ", request id " + requestId);
        if (level == HttpLogLevel.HEADERS) {
            LOG.debug("<-- {} {} {}", request.method(), url, headers(response.headers()));
        }
        return response;
    }

    private String headers(Headers headers) {
        StringJoiner joined = new StringJoiner(", ", "{", "}");
        for (int index = 0; index < headers.size(); index++) {
            String name = headers.name(index);
            joined.add(name + ": " + redaction.headerValue(name, headers.value(index)));
        }
        return joined.toString();
    }

    private static long millisecondsSince(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }
}
