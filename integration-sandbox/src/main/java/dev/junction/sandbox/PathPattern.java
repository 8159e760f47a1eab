package dev.junction.sandbox;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A URL path pattern such as {@code /api/v4/contacts/{id}.json}.
 *
 * <ul>
 *   <li>{@code {name}} matches one non-empty part of a path segment and captures it as a path
 *       parameter; literal text may follow it in the same segment ({@code {id}.json}).
 *   <li>{@code *} matches any text within one segment.
 *   <li>{@code **} matches any text, across segments ({@code /api/v4/**}).
 *   <li>Everything else matches literally.
 * </ul>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class PathPattern {

    private final String pattern;
    private final Pattern regex;
    private final List<String> parameterNames;

    private PathPattern(String pattern, Pattern regex, List<String> parameterNames) {
        this.pattern = pattern;
        this.regex = regex;
        this.parameterNames = List.copyOf(parameterNames);
    }

    /**
     * Compiles a pattern.
     *
     * @throws IllegalArgumentException if a brace is not closed or a parameter has no name
     */
    public static PathPattern compile(String pattern) {
        Objects.requireNonNull(pattern, "pattern");
        StringBuilder regex = new StringBuilder("^");
        List<String> names = new ArrayList<>();
        int index = 0;
        while (index < pattern.length()) {
            char current = pattern.charAt(index);
            if (current == '{') {
                int close = pattern.indexOf('}', index);
                if (close < 0) {
                    throw new IllegalArgumentException("Unclosed '{' in path pattern: " + pattern);
                }
                String name = pattern.substring(index + 1, close);
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("Empty parameter name in path pattern: " + pattern);
                }
                names.add(name);
                regex.append("([^/]+?)");
                index = close + 1;
            } else if (pattern.startsWith("**", index)) {
                regex.append(".*");
                index += 2;
            } else if (current == '*') {
                regex.append("[^/]*");
                index++;
            } else {
                int next = nextSpecial(pattern, index);
                regex.append(Pattern.quote(pattern.substring(index, next)));
                index = next;
            }
        }
        regex.append('$');
        return new PathPattern(pattern, Pattern.compile(regex.toString()), names);
    }

    private static int nextSpecial(String pattern, int from) {
        for (int index = from; index < pattern.length(); index++) {
            char current = pattern.charAt(index);
            if (current == '{' || current == '*') {
                return index;
            }
        }
        return pattern.length();
    }

    /**
     * Matches a request path.
     *
     * @return the captured path parameters (possibly empty) when the path matches; empty otherwise
     */
    public Optional<Map<String, String>> match(String path) {
        Matcher matcher = regex.matcher(path);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int group = 0; group < parameterNames.size(); group++) {
            parameters.put(parameterNames.get(group), matcher.group(group + 1));
        }
        return Optional.of(Collections.unmodifiableMap(parameters));
    }

    /** Whether the path matches. */
    public boolean matches(String path) {
        return regex.matcher(path).matches();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
