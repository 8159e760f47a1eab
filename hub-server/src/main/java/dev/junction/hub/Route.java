package dev.junction.hub;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One endpoint: method, path template ({@code /v1/connections/{connectionId}}), who may call it, its handler, and
 * what the OpenAPI document says about it (summary, query parameters, request and response schemas). The document
 * is built from these, so a route cannot be registered without being described.
 *
 * <p>Immutable.
 */
public final class Route {

    /** Who may call a route. */
    public enum Access { PUBLIC, ADMIN, TENANT }

    /** A query parameter. */
    public record Parameter(String name, String type, boolean required, String description) {}

    @FunctionalInterface
    public interface Handler {
        ApiResponse handle(ApiRequest request) throws Exception;
    }

    private final String method;
    private final String path;
    private final Access access;
    private final String tag;
    private final String summary;
    private final List<Parameter> parameters;
    private final List<String> headers;
    private final String requestSchema;
    private final Map<Integer, String> responses;
    private final Handler handler;
    private final Pattern pattern;
    private final List<String> pathParameters;
    private final String literalPrefix;

    private Route(Builder builder) {
        this.method = builder.method;
        this.path = builder.path;
        this.access = builder.access;
        this.tag = builder.tag;
        this.summary = builder.summary;
        this.parameters = List.copyOf(builder.parameters);
        this.headers = List.copyOf(builder.headers);
        this.requestSchema = builder.requestSchema;
        this.responses = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(builder.responses)); // null: no body
        this.handler = builder.handler;
        List<String> names = new ArrayList<>();
        Matcher matcher = Pattern.compile("\\{([A-Za-z]+)}").matcher(path);
        StringBuilder regex = new StringBuilder();
        int last = 0;
        while (matcher.find()) {
            regex.append(Pattern.quote(path.substring(last, matcher.start()))).append("([^/]+)");
            names.add(matcher.group(1));
            last = matcher.end();
        }
        regex.append(Pattern.quote(path.substring(last)));
        this.pattern = Pattern.compile(regex.toString());
        int brace = path.indexOf('{');
        this.literalPrefix = brace < 0 ? path : path.substring(0, brace);
        this.pathParameters = List.copyOf(names);
    }

    public static Builder builder(String method, String path, Access access) {
        return new Builder(method, path, access);
    }

    /** The path parameters when {@code requestPath} matches this route's template. */
    public Map<String, String> match(String requestPath) {
        // Every request is tried against the routes in turn: most differ in their first characters, so a plain
        // prefix check turns them down without running the regular expression.
        if (!requestPath.startsWith(literalPrefix)) {
            return null;
        }
        Matcher matcher = pattern.matcher(requestPath);
        if (!matcher.matches()) {
            return null;
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < pathParameters.size(); i++) {
            values.put(pathParameters.get(i), java.net.URLDecoder.decode(matcher.group(i + 1), java.nio.charset.StandardCharsets.UTF_8));
        }
        return values;
    }

    public String method() { return method; }
    public String path() { return path; }
    public Access access() { return access; }
    public String tag() { return tag; }
    public String summary() { return summary; }
    public List<Parameter> parameters() { return parameters; }
    public List<String> headers() { return headers; }
    public String requestSchema() { return requestSchema; }
    public Map<Integer, String> responses() { return responses; }
    public Handler handler() { return handler; }
    public List<String> pathParameters() { return pathParameters; }

    /** Builds a route; {@code withResponse} at least once. */
    public static final class Builder {
        private final String method;
        private final String path;
        private final Access access;
        private String tag = "";
        private String summary = "";
        private final List<Parameter> parameters = new ArrayList<>();
        private final List<String> headers = new ArrayList<>();
        private String requestSchema;
        private final Map<Integer, String> responses = new LinkedHashMap<>();
        private Handler handler;

        private Builder(String method, String path, Access access) {
            this.method = method;
            this.path = path;
            this.access = access;
        }

        public Builder withTag(String value) { tag = value; return this; }
        public Builder withSummary(String value) { summary = value; return this; }
        public Builder withQuery(String name, String type, String description) { parameters.add(new Parameter(name, type, false, description)); return this; }
        public Builder withRequiredQuery(String name, String type, String description) { parameters.add(new Parameter(name, type, true, description)); return this; }
        public Builder withRequiredHeader(String name) { headers.add(name); return this; }
        public Builder withBody(String schema) { requestSchema = schema; return this; }
        /** A documented response; {@code schema} null for none, a component name, or a media type with a text body ({@code text/plain}). */
        public Builder withResponse(int status, String schema) { responses.put(status, schema); return this; }
        public Route handledBy(Handler value) { handler = value; return new Route(this); }
    }
}
