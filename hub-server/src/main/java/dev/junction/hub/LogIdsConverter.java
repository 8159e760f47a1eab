package dev.junction.hub;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.Map;

/**
 * {@code %ids} in a logback pattern: the request, tenant, connection and run ids the event carries (MDC), as
 * {@code request_id=... tenant_id=...}, each only when set, so text logs show who and what a line is about without
 * columns of dashes. Thread-safe.
 */
public final class LogIdsConverter extends ClassicConverter {

    private static final String[] KEYS = {"request_id", "tenant_id", "connection_id", "run_id"};

    @Override
    public String convert(ILoggingEvent event) {
        Map<String, String> mdc = event.getMDCPropertyMap();
        if (mdc == null || mdc.isEmpty()) {
            return "";
        }
        StringBuilder ids = new StringBuilder();
        for (String key : KEYS) {
            String value = mdc.get(key);
            if (value != null && !value.isEmpty()) {
                ids.append(ids.length() == 0 ? "" : " ").append(key).append('=').append(value);
            }
        }
        return ids.length() == 0 ? "" : " [" + ids + "]";
    }
}
