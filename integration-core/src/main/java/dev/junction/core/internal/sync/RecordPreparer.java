package dev.junction.core.internal.sync;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.internal.Json;
import dev.junction.core.internal.store.PreparedRecord;
import dev.junction.core.model.UnifiedRecord;
import dev.junction.core.spi.RemoteRecord;
import dev.junction.core.spi.Transformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Serialises (unless the connector handed over the record's own JSON text), hashes and transforms a remote record
 * once, outside any transaction. Thread-safe.
 */
public final class RecordPreparer {

    private RecordPreparer() {
    }

    /** A prepared record, or the reason it could not be prepared (then {@code record} is null). */
    public record Result(PreparedRecord record, String error, String payload) {}

    /** A page's records prepared: those that could be, and those that could not with why. */
    public record Batch(List<PreparedRecord> records, List<Failure> failures) {}

    /** A record that could not be prepared: its id, why, and its payload as far as it could be serialised. */
    public record Failure(String externalId, String error, String payload) {}

    /**
     * Prepares a page's records. The loop is a method of its own, small and called once a page, so that the optimising
     * compiler compiles it apart from the page's fetch (which it would otherwise compile again with it).
     */
    public static Batch prepareAll(List<RemoteRecord> page, Transformer transformer) {
        List<PreparedRecord> prepared = new ArrayList<>(page.size());
        List<Failure> failures = new ArrayList<>();
        for (RemoteRecord remote : page) {
            Result result = prepare(remote, transformer);
            if (result.record() != null) {
                prepared.add(result.record());
            } else {
                failures.add(new Failure(remote.externalId(), result.error(), result.payload()));
            }
        }
        return new Batch(prepared, failures);
    }

    public static Result prepare(RemoteRecord remote, Transformer transformer) {
        String payload = remote.json();
        if (payload == null) {
            try {
                payload = Json.MAPPER.writeValueAsString(remote.payload());
            } catch (JsonProcessingException e) {
                return new Result(null, "payload cannot be serialised: " + e.getOriginalMessage(), null);
            }
        }
        byte[] payloadUtf8 = payload.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String hash = Json.sha256(payloadUtf8);
        if (remote.deleted()) {
            return new Result(new PreparedRecord(remote.externalId(), payloadUtf8, hash, remote.updatedAt(), true,
                    null, null, null, null, null), null, payload);
        }
        Optional<UnifiedRecord> unified;
        try {
            unified = transformer.transform(remote);
        } catch (JunctionException e) {
            return new Result(null, e.kind() + ": " + e.reason(), payload);
        } catch (RuntimeException e) {
            // A transformer bug must not fail the page; the record is parked with the reason.
            return new Result(null, ErrorKind.UNEXPECTED_PAYLOAD + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), payload);
        }
        if (unified.isEmpty()) {
            return new Result(new PreparedRecord(remote.externalId(), payloadUtf8, hash, remote.updatedAt(), false,
                    null, null, null, null, null), null, payload);
        }
        UnifiedRecord record = unified.get();
        if (!remote.externalId().equals(record.externalId())) {
            return new Result(null, "transformer returned external id '" + record.externalId() + "' for record '"
                    + remote.externalId() + "'", payload);
        }
        return new Result(new PreparedRecord(remote.externalId(), payloadUtf8, hash,
                remote.updatedAt() != null ? remote.updatedAt() : record.updatedAt(), false, record.type().name(),
                record.label(), record.email(), record.status(), Json.writeUtf8(record)), null, payload);
    }
}
