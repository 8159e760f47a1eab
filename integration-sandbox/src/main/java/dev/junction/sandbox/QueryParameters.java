package dev.junction.sandbox;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * An ordered list of name/value pairs, as found in a URL query string or a form-encoded body.
 *
 * <p>Names may repeat ({@code ids[]=1&ids[]=2}); order is kept, so a request's query can be
 * re-encoded into a "next page" URL that looks like the original.
 *
 * <p>Instances are immutable and thread-safe; the {@code with...} methods return new instances.
 */
public final class QueryParameters {

    private static final QueryParameters EMPTY = new QueryParameters(List.of());

    private final List<Parameter> parameters;

    private QueryParameters(List<Parameter> parameters) {
        this.parameters = List.copyOf(parameters);
    }

    /** One decoded name/value pair. */
    public record Parameter(String name, String value) {
        /** Checks that neither part is null. */
        public Parameter {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    /** Returns the empty parameter list. */
    public static QueryParameters empty() {
        return EMPTY;
    }

    /**
     * Decodes a raw (still percent-encoded) query string or form body, such as {@code a=1&b=x%20y}.
     * A {@code +} decodes to a space. A name without {@code =} gets an empty value.
     *
     * @param rawQuery the encoded text; {@code null} or empty gives the empty list
     */
    public static QueryParameters parse(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return EMPTY;
        }
        List<Parameter> parsed = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            parsed.add(new Parameter(decode(name), decode(value)));
        }
        return new QueryParameters(parsed);
    }

    /** Returns parameters built from a map, in the map's iteration order. */
    public static QueryParameters of(Map<String, String> values) {
        List<Parameter> list = new ArrayList<>();
        values.forEach((name, value) -> list.add(new Parameter(name, value)));
        return new QueryParameters(list);
    }

    /** Returns the first value of {@code name}, if present. */
    public Optional<String> first(String name) {
        return parameters.stream().filter(p -> p.name().equals(name)).map(Parameter::value).findFirst();
    }

    /** Returns every value of {@code name}, in order; empty when absent. */
    public List<String> all(String name) {
        return parameters.stream().filter(p -> p.name().equals(name)).map(Parameter::value).toList();
    }

    /** Whether at least one parameter is called {@code name}. */
    public boolean contains(String name) {
        return parameters.stream().anyMatch(p -> p.name().equals(name));
    }

    /** Whether there are no parameters at all. */
    public boolean isEmpty() {
        return parameters.isEmpty();
    }

    /** Returns a copy with {@code name=value} appended. */
    public QueryParameters with(String name, String value) {
        List<Parameter> list = new ArrayList<>(parameters);
        list.add(new Parameter(name, value));
        return new QueryParameters(list);
    }

    /** Returns a copy in which every {@code name} is removed and a single {@code name=value} appended. */
    public QueryParameters replacing(String name, String value) {
        return without(name).with(name, value);
    }

    /** Returns a copy without any parameter called {@code name}. */
    public QueryParameters without(String name) {
        return new QueryParameters(parameters.stream().filter(p -> !p.name().equals(name)).toList());
    }

    /** Returns the pairs in order. */
    public List<Parameter> parameters() {
        return parameters;
    }

    /** Returns the values grouped by name, names in first-seen order. The map is unmodifiable. */
    public Map<String, List<String>> asMap() {
        Map<String, List<String>> grouped = new LinkedHashMap<>();
        for (Parameter parameter : parameters) {
            grouped.computeIfAbsent(parameter.name(), name -> new ArrayList<>()).add(parameter.value());
        }
        grouped.replaceAll((name, values) -> List.copyOf(values));
        return Collections.unmodifiableMap(grouped);
    }

    /** Encodes the parameters as {@code a=1&b=x+y} (no leading {@code ?}). */
    public String encode() {
        return parameters.stream()
                .map(p -> URLEncoder.encode(p.name(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(p.value(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof QueryParameters that && parameters.equals(that.parameters);
    }

    @Override
    public int hashCode() {
        return parameters.hashCode();
    }

    @Override
    public String toString() {
        return encode();
    }
}
