package dev.junction.sandbox;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Makes a {@link SandboxServer} misbehave for chosen requests: 5xx errors, delays, cut or
 * malformed bodies, expired tokens.
 *
 * <pre>{@code
 * server.faults().next(3).onPath("/api/v4/contacts.json").respondWith(Fault.status(503));
 * server.faults().always().onPath("/api/v4/**").respondWith(Fault.status(502));
 * }</pre>
 *
 * <p>Rules are checked in the order they were added; the first rule matching a request applies,
 * and is used up after its count. Faults apply before the server's filters, so they hit every
 * request on the path, authenticated or not. Thread-safe.
 */
public final class FaultInjector {

    private final List<Rule> rules = new ArrayList<>();

    FaultInjector() {
    }

    /** Starts a rule that applies to the next {@code count} matching requests. */
    public RuleBuilder next(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be positive: " + count);
        }
        return new RuleBuilder(count);
    }

    /** Starts a rule that applies to every matching request until {@link #clear()}. */
    public RuleBuilder always() {
        return new RuleBuilder(Long.MAX_VALUE);
    }

    /** Removes every rule. */
    public synchronized void clear() {
        rules.clear();
    }

    /** How many rules are still active. */
    public synchronized int activeRules() {
        return rules.size();
    }

    synchronized Optional<Fault> take(SandboxRequest request) {
        Iterator<Rule> iterator = rules.iterator();
        while (iterator.hasNext()) {
            Rule rule = iterator.next();
            if (rule.matches(request)) {
                rule.remaining--;
                if (rule.remaining == 0) {
                    iterator.remove();
                }
                return Optional.of(rule.fault);
            }
        }
        return Optional.empty();
    }

    private synchronized void add(Rule rule) {
        rules.add(rule);
    }

    /** Describes which requests a rule applies to. Not thread-safe; finish it with {@link #respondWith(Fault)}. */
    public final class RuleBuilder {

        private final long count;
        private PathPattern path = PathPattern.compile("/**");
        private String method;

        private RuleBuilder(long count) {
            this.count = count;
        }

        /** Limits the rule to paths matching {@code pattern} (see {@link PathPattern}); default: every path. */
        public RuleBuilder onPath(String pattern) {
            this.path = PathPattern.compile(pattern);
            return this;
        }

        /** Limits the rule to one HTTP method; default: every method. */
        public RuleBuilder onMethod(String httpMethod) {
            this.method = httpMethod.toUpperCase(Locale.ROOT);
            return this;
        }

        /** Activates the rule. */
        public void respondWith(Fault fault) {
            add(new Rule(path, method, Objects.requireNonNull(fault, "fault"), count));
        }
    }

    private static final class Rule {
        private final PathPattern path;
        private final String method;
        private final Fault fault;
        private long remaining;

        Rule(PathPattern path, String method, Fault fault, long remaining) {
            this.path = path;
            this.method = method;
            this.fault = fault;
            this.remaining = remaining;
        }

        boolean matches(SandboxRequest request) {
            return (method == null || method.equals(request.method())) && path.matches(request.path());
        }
    }
}
