package dev.junction.core;

import dev.junction.core.error.JunctionException;
import dev.junction.core.model.UnifiedType;
import java.time.Instant;

/**
 * A query over one tenant's unified records of one type.
 *
 * <pre>{@code
 * RecordPage<Contact> page = hub.query(RecordQuery.of("tenant-1", UnifiedType.CONTACT).withText("smith").withLimit(50), Contact.class);
 * }</pre>
 *
 * @param connectionId only this connection's records, or null for all of the tenant's
 * @param updatedSince only records written to Junction at or after this time, or null
 * @param text case-insensitive substring of the label or e-mail, or null
 * @param includeDeleted whether deleted records are returned (flagged)
 * @param cursor the {@link RecordPage#nextCursor()} of the previous page, or null for the first
 * @param limit page size, 1 to 1000
 */
public record RecordQuery(String tenantId, UnifiedType type, String connectionId, Instant updatedSince, String text,
        boolean includeDeleted, String cursor, int limit) {

    public static final int MAX_LIMIT = 1000;

    public RecordQuery {
        JunctionException.requireArgument(tenantId, "tenantId");
        JunctionException.requireArgument(type, "type");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw JunctionException.invalidInput("limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
        if (text != null && text.isBlank()) {
            text = null;
        }
    }

    public static RecordQuery of(String tenantId, UnifiedType type) {
        return new RecordQuery(tenantId, type, null, null, null, false, null, 100);
    }

    public RecordQuery withConnection(String value) {
        return new RecordQuery(tenantId, type, value, updatedSince, text, includeDeleted, cursor, limit);
    }

    public RecordQuery withUpdatedSince(Instant value) {
        return new RecordQuery(tenantId, type, connectionId, value, text, includeDeleted, cursor, limit);
    }

    public RecordQuery withText(String value) {
        return new RecordQuery(tenantId, type, connectionId, updatedSince, value, includeDeleted, cursor, limit);
    }

    public RecordQuery withDeleted(boolean value) {
        return new RecordQuery(tenantId, type, connectionId, updatedSince, text, value, cursor, limit);
    }

    public RecordQuery withCursor(String value) {
        return new RecordQuery(tenantId, type, connectionId, updatedSince, text, includeDeleted, value, limit);
    }

    public RecordQuery withLimit(int value) {
        return new RecordQuery(tenantId, type, connectionId, updatedSince, text, includeDeleted, cursor, value);
    }
}
