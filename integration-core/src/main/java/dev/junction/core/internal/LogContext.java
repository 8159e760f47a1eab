package dev.junction.core.internal;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.MDC;

/**
 * The ids that log lines carry as MDC fields: {@code tenant_id}, {@code connection_id} and {@code run_id} (hub-server
 * adds {@code request_id}). Never a secret. A {@link Scope} remembers the values these keys had when it opened and
 * puts them back when it closes, so work on a pooled thread leaves nothing behind and a caller's own ids (hub-server
 * sets {@code tenant_id} per request) survive a nested call.
 *
 * <pre>{@code
 * try (LogContext.Scope ignored = LogContext.scope()) {
 *     LogContext.connection(row.tenantId(), row.id());   // once the connection is known
 *     ...
 * }
 * }</pre>
 */
public final class LogContext {

    public static final String TENANT_ID = "tenant_id";
    public static final String CONNECTION_ID = "connection_id";
    public static final String RUN_ID = "run_id";
    private static final String[] KEYS = {TENANT_ID, CONNECTION_ID, RUN_ID};

    private LogContext() {
    }

    /** Restores the ids' earlier values on close. Close it on the thread that opened it. */
    public static final class Scope implements AutoCloseable {
        private final Map<String, String> saved = new HashMap<>();

        private Scope() {
            for (String key : KEYS) {
                saved.put(key, MDC.get(key));
            }
        }

        @Override
        public void close() {
            saved.forEach((key, value) -> {
                if (value == null) {
                    MDC.remove(key);
                } else {
                    MDC.put(key, value);
                }
            });
        }
    }

    /** Remembers the current ids until the scope closes. */
    public static Scope scope() {
        return new Scope();
    }

    /** A scope already holding a connection's ids. */
    public static Scope forConnection(String tenantId, String connectionId) {
        Scope scope = scope();
        connection(tenantId, connectionId);
        return scope;
    }

    /** Sets the tenant and connection ids (null removes one) and removes the run id. */
    public static void connection(String tenantId, String connectionId) {
        put(TENANT_ID, tenantId);
        put(CONNECTION_ID, connectionId);
        MDC.remove(RUN_ID);
    }

    /** {@code task} running with a sync run's ids, restoring the thread's earlier ids after it (pool threads). */
    public static Runnable forRun(String tenantId, String connectionId, String runId, Runnable task) {
        return () -> {
            try (Scope ignored = forConnection(tenantId, connectionId)) {
                put(RUN_ID, runId);
                task.run();
            }
        };
    }

    private static void put(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
