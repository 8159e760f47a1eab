package dev.junction.core.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.http.HttpCall;
import dev.junction.core.http.HttpClientSpec;
import dev.junction.core.http.HttpResult;
import dev.junction.core.http.PageResponse;
import dev.junction.core.http.PaginationStrategy;
import dev.junction.core.http.ProviderHttpClient;
import dev.junction.core.http.RateLimiterStats;
import dev.junction.core.http.internal.CallExecutor.CallDescription;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/** The {@link ProviderHttpClient} behind {@link dev.junction.core.http.HttpStack#client}. Thread-safe. */
public final class ProviderHttpClientImpl implements ProviderHttpClient {

    private static final Set<String> METHODS_WITH_BODY = Set.of("POST", "PUT", "PATCH");

    private final HttpClientSpec spec;
    private final BaseUrl baseUrl;
    private final OkHttpClient okHttp;
    private final ObjectMapper objectMapper;
    private final ConnectionRateLimiter limiter;
    private final CallExecutor executor;

    /**
     * @param okHttp an OkHttp client on the provider's connection pool, with this spec's timeouts and logging
     */
    public ProviderHttpClientImpl(HttpClientSpec spec, OkHttpClient okHttp, ObjectMapper objectMapper,
                                  ConnectionRateLimiter limiter, CallExecutor executor) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.baseUrl = BaseUrl.parse(spec.baseUrl());
        this.okHttp = Objects.requireNonNull(okHttp, "okHttp");
        this.objectMapper = Objects.requireNonNull(objectMapper, "objectMapper");
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    @Override
    public HttpResult execute(HttpCall call) {
        Objects.requireNonNull(call, "call");
        return execute(call, resolve(call));
    }

    /**
     * The call's URL. Resolved once a request: a next-page URL is long (Clio's repeats the whole query), and parsing it
     * was 2.6 % of a bulk sync's samples when the error descriptions resolved it a second time.
     */
    private HttpUrl resolve(HttpCall call) {
        return baseUrl.resolve(call.pathOrUrl(), call.query(), executor.context(call.entity()));
    }

    private HttpResult execute(HttpCall call, HttpUrl url) {
        boolean idempotencyKeyed = call.idempotencyKey() != null && spec.idempotencyHeader() != null;
        CallDescription description = new CallDescription(call.method(), url, call.entity(), idempotencyKeyed);
        return executor.execute(description, authentication -> send(request(call, url, idempotencyKeyed, authentication)));
    }

    @Override
    public JsonNode executeJson(HttpCall call) {
        Objects.requireNonNull(call, "call");
        HttpUrl url = resolve(call);
        return JsonBodies.parse(objectMapper, execute(call, url), describe(call, url), executor.context(call.entity()));
    }

    @Override
    public PageResponse fetchPage(HttpCall firstPage, PaginationStrategy strategy, Optional<String> cursor) {
        HttpCall call = strategy.request(firstPage, cursor);
        HttpUrl url = resolve(call);
        HttpResult result = execute(call, url);
        JsonBodies.ParsedPage parsed = JsonBodies.parsePage(objectMapper, result, describe(call, url), executor.context(call.entity()));
        JsonNode body = parsed.body();
        ErrorContext context = executor.context(call.entity()).withHttpStatus(result.status()).withRequestId(result.requestId());
        Optional<String> nextCursor;
        try {
            nextCursor = strategy.nextCursor(call, result, body);
        } catch (JunctionException failure) {
            throw failure.withContext(context);
        }
        if (nextCursor.isPresent() && nextCursor.equals(cursor)) {
            throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD,
                    describe(call, url) + " pointed to itself as the next page", context);
        }
        return new PageResponse(result, body, nextCursor, parsed.elementTexts());
    }

    @Override
    public <T> T feign(Class<T> api) {
        return FeignClients.create(Objects.requireNonNull(api, "api"), spec, okHttp, baseUrl, objectMapper, executor);
    }

    @Override
    public RateLimiterStats rateLimitStats() {
        return limiter.stats();
    }

    /** "METHOD /path", as the executor names requests in its errors. */
    private static String describe(HttpCall call, HttpUrl url) {
        return call.method() + " " + url.encodedPath();
    }

    private Request request(HttpCall call, HttpUrl url, boolean idempotencyKeyed, Map<String, String> authentication) {
        Request.Builder builder = new Request.Builder().url(url);
        spec.defaultHeaders().forEach(builder::header);
        call.headers().forEach(builder::header);
        if (idempotencyKeyed) {
            builder.header(spec.idempotencyHeader(), call.idempotencyKey());
        }
        authentication.forEach(builder::header);
        RequestBody body = null;
        if (call.body() != null) {
            body = RequestBody.create(call.body(), MediaType.parse(call.contentType()));
        } else if (METHODS_WITH_BODY.contains(call.method())) {
            body = RequestBody.create(new byte[0], null);
        }
        return builder.method(call.method(), body).build();
    }

    private HttpResult send(Request request) throws IOException {
        try (Response response = okHttp.newCall(request).execute()) {
            ResponseBody body = response.body();
            return HttpResult.of(response.code(), response.headers().toMultimap(), body == null ? new byte[0] : body.bytes());
        }
    }
}
