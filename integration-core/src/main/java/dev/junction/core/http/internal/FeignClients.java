package dev.junction.core.http.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.http.HttpClientSpec;
import dev.junction.core.http.HttpResult;
import dev.junction.core.http.internal.CallExecutor.CallDescription;
import feign.Client;
import feign.Feign;
import feign.FeignException;
import feign.InvocationContext;
import feign.Request;
import feign.Response;
import feign.ResponseInterceptor;
import feign.Retryer;
import feign.jackson.JacksonDecoder;
import feign.jackson.JacksonEncoder;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * Builds Feign targets whose every request runs through a {@link CallExecutor}: Feign turns the method call into a
 * request, the executor applies the connection's rate limit, authentication, retries and error mapping, and
 * feign-okhttp sends each attempt on the provider's connection pool. Stateless.
 */
final class FeignClients {

    private FeignClients() {
    }

    static <T> T create(Class<T> api, HttpClientSpec spec, OkHttpClient okHttp, BaseUrl baseUrl, ObjectMapper mapper,
                        CallExecutor executor) {
        // The same timeouts and redirect setting as the OkHttp client, so feign-okhttp does not derive another one.
        Request.Options options = new Request.Options(okHttp.connectTimeoutMillis(), TimeUnit.MILLISECONDS,
                okHttp.readTimeoutMillis(), TimeUnit.MILLISECONDS, okHttp.followRedirects());
        ErrorContext context = executor.context(null);
        return Feign.builder()
                .client(new ExecutorClient(spec, new feign.okhttp.OkHttpClient(okHttp), baseUrl, executor))
                .encoder(new JacksonEncoder(mapper))
                .decoder(new JacksonDecoder(mapper))
                .retryer(Retryer.NEVER_RETRY)
                .options(options)
                // Only a 304 reaches Feign unsuccessful: the executor throws every other status.
                .errorDecoder((methodKey, response) -> executor.unsuccessful(describe(response.request()), toResult(response)))
                .responseInterceptor(new UndecodableAsUnexpectedPayload(context))
                .target(api, spec.baseUrl());
    }

    /** "METHOD /path", as the executor names requests in its errors. */
    private static String describe(Request request) {
        HttpUrl url = HttpUrl.parse(request.url());
        return request.httpMethod() + " " + (url == null ? Redaction.urlText(request.url()) : url.encodedPath());
    }

    private static String firstHeader(Response response, String name) {
        for (Map.Entry<String, Collection<String>> header : response.headers().entrySet()) {
            if (header.getKey().equalsIgnoreCase(name) && !header.getValue().isEmpty()) {
                return header.getValue().iterator().next();
            }
        }
        return null;
    }

    private static HttpResult toResult(Response response) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        response.headers().forEach((name, values) -> headers.put(name, List.copyOf(values)));
        byte[] body = new byte[0];
        if (response.body() != null) {
            try (InputStream stream = response.body().asInputStream()) {
                body = stream.readAllBytes();
            } catch (IOException unreadable) {
                // The executor already buffered the body in memory; reading it again cannot fail.
                throw new IllegalStateException(unreadable);
            }
        }
        return HttpResult.of(response.status(), headers, body);
    }

    /** A Feign client that hands each request to the executor and sends its attempts with feign-okhttp. */
    private static final class ExecutorClient implements Client {
        private final HttpClientSpec spec;
        private final Client transport;
        private final BaseUrl baseUrl;
        private final CallExecutor executor;

        ExecutorClient(HttpClientSpec spec, Client transport, BaseUrl baseUrl, CallExecutor executor) {
            this.spec = spec;
            this.transport = transport;
            this.baseUrl = baseUrl;
            this.executor = executor;
        }

        @Override
        public Response execute(Request request, Request.Options options) {
            CallDescription call = new CallDescription(request.httpMethod().name(),
                    baseUrl.requireSameOrigin(request.url(), executor.context(null)), null, carriesIdempotencyKey(request));
            HttpResult result = executor.execute(call, authentication -> send(request, options, authentication));
            Map<String, Collection<String>> headers = new LinkedHashMap<>(result.headers());
            return Response.builder()
                    .status(result.status())
                    .headers(headers)
                    .body(result.body())
                    .request(request)
                    .build();
        }

        private boolean carriesIdempotencyKey(Request request) {
            return spec.idempotencyHeader() != null && headers(request).containsKey(spec.idempotencyHeader());
        }

        private HttpResult send(Request request, Request.Options options, Map<String, String> authentication)
                throws IOException {
            Map<String, Collection<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            spec.defaultHeaders().forEach((name, value) -> headers.put(name, List.of(value)));
            headers.putAll(request.headers());
            authentication.forEach((name, value) -> headers.put(name, List.of(value)));
            Request authenticated = Request.create(request.httpMethod(), request.url(), headers, request.body(),
                    request.charset(), request.requestTemplate());
            try (Response response = transport.execute(authenticated, options)) {
                byte[] body = new byte[0];
                if (response.body() != null) {
                    try (InputStream stream = response.body().asInputStream()) {
                        body = stream.readAllBytes();
                    }
                }
                Map<String, List<String>> responseHeaders = new LinkedHashMap<>();
                response.headers().forEach((name, values) -> responseHeaders.put(name, new ArrayList<>(values)));
                return HttpResult.of(response.status(), responseHeaders, body);
            }
        }

        private static Map<String, Collection<String>> headers(Request request) {
            Map<String, Collection<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            headers.putAll(request.headers());
            return headers;
        }
    }

    /**
     * Feign wraps decoder failures in its own exceptions; this turns them into {@code UNEXPECTED_PAYLOAD} with the
     * connection's context.
     */
    private record UndecodableAsUnexpectedPayload(ErrorContext context) implements ResponseInterceptor {

        @Override
        public Object intercept(InvocationContext invocation, Chain chain) throws Exception {
            try {
                return chain.next(invocation);
            } catch (FeignException undecodable) {
                Response response = invocation.response();
                String requestId = RequestIds.find(name -> firstHeader(response, name));
                throw JsonBodies.unexpectedPayload(describe(response.request()), undecodable,
                        context.withHttpStatus(response.status()).withRequestId(requestId));
            }
        }
    }
}
