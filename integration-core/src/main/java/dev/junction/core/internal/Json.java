package dev.junction.core.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/** The one configured {@link ObjectMapper} core uses, and small helpers around it. */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .setNodeFactory(dev.junction.core.http.internal.SmallObjectNodes.INSTANCE)
            .registerModule(new JavaTimeModule())
            .registerModule(new com.fasterxml.jackson.databind.module.SimpleModule("junction-instants")
                    .addSerializer(java.time.Instant.class, new IsoInstantSerializer()))
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * Writes an {@link java.time.Instant} exactly as {@link java.time.Instant#toString()} does (ISO-8601 in UTC, the
     * fraction in groups of three digits as needed), by hand: every unified record carries timestamps, and
     * {@code DateTimeFormatter.ISO_INSTANT} cost more than the rest of the record's JSON (and the cold JVM's compiler
     * several seconds). Years outside 0..9999 go through {@code toString()}.
     */
    static final class IsoInstantSerializer extends com.fasterxml.jackson.databind.ser.std.StdSerializer<java.time.Instant> {
        IsoInstantSerializer() {
            super(java.time.Instant.class);
        }

        @Override
        public void serialize(java.time.Instant value, com.fasterxml.jackson.core.JsonGenerator json,
                com.fasterxml.jackson.databind.SerializerProvider provider) throws java.io.IOException {
            json.writeString(iso(value));
        }
    }

    /** Seconds from 0000-01-01T00:00:00Z to the epoch. */
    private static final long SECONDS_0000_TO_1970 = 62_167_219_200L;

    /**
     * {@code value.toString()}, written by hand (see {@link IsoInstantSerializer}). The date is computed from the day
     * count by arithmetic alone (H. Hinnant's days-to-civil algorithm, with the January/February flag as a sign bit):
     * {@code LocalDateTime.ofEpochSecond} corrects its year estimate with a branch that only some dates take, and the
     * first such date deep into a sync made the optimising compiler discard and recompile every method it had inlined
     * this into.
     */
    public static String iso(java.time.Instant value) {
        long sinceYearZero = value.getEpochSecond() + SECONDS_0000_TO_1970;
        // From 0000-03-01 (the day count below starts there) up to 9999-12-31T23:59:59; anything else as toString().
        if (sinceYearZero < 60L * 86_400 || value.getEpochSecond() >= 253_402_300_800L) {
            return value.toString();
        }
        long days = sinceYearZero / 86_400 - 60; // days since 0000-03-01, a leap day at the end of each cycle
        int secondOfDay = (int) (sinceYearZero % 86_400);
        long era = days / 146_097;
        long dayOfEra = days - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long marchMonth = (5 * dayOfYear + 2) / 153; // 0 = March .. 11 = February
        long januaryOrFebruary = (9 - marchMonth) >>> 63;
        int day = (int) (dayOfYear - (153 * marchMonth + 2) / 5 + 1);
        int month = (int) (marchMonth + 3 - 12 * januaryOrFebruary);
        int year = (int) (yearOfEra + era * 400 + januaryOrFebruary);
        byte[] out = new byte[30];
        int at = 0;
        at = digits(out, at, year, 4);
        out[at++] = '-';
        at = digits(out, at, month, 2);
        out[at++] = '-';
        at = digits(out, at, day, 2);
        out[at++] = 'T';
        at = digits(out, at, secondOfDay / 3_600, 2);
        out[at++] = ':';
        at = digits(out, at, secondOfDay / 60 % 60, 2);
        out[at++] = ':';
        at = digits(out, at, secondOfDay % 60, 2);
        int nano = value.getNano();
        if (nano != 0) {
            out[at++] = '.';
            if (nano % 1_000_000 == 0) at = digits(out, at, nano / 1_000_000, 3);
            else if (nano % 1_000 == 0) at = digits(out, at, nano / 1_000, 6);
            else at = digits(out, at, nano, 9);
        }
        out[at++] = 'Z';
        return new String(out, 0, at, StandardCharsets.ISO_8859_1);
    }

    private static int digits(byte[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        return at + width;
    }

    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

    private Json() {
    }

    /** The value's JSON as UTF-8 bytes (written as bytes, never held as text). */
    public static byte[] writeUtf8(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    public static JsonNode read(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable", e);
        }
    }

    public static <T> T read(String text, Class<T> type) {
        try {
            return MAPPER.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable as " + type.getSimpleName(), e);
        }
    }

    public static Map<String, String> readStringMap(String text) {
        if (text == null || text.isBlank()) {
            return Map.of();
        }
        try {
            return MAPPER.readValue(text, STRING_MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored settings are unreadable", e);
        }
    }

    /** Hex SHA-256 of the text's UTF-8 bytes. */
    public static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Hex SHA-256 of the bytes. */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256Digest(bytes));
    }

    /**
     * Never used itself: each digest clones it, which skips the provider lookup {@code MessageDigest.getInstance} makes
     * on every call (a record is hashed at least once).
     */
    private static final MessageDigest SHA_256;

    static {
        try {
            SHA_256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every Java platform has SHA-256
        }
    }

    /** SHA-256 of the bytes. */
    public static byte[] sha256Digest(byte[] bytes) {
        MessageDigest digest;
        try {
            digest = (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException notCloneable) { // the JDK's own can be; another provider's perhaps not
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return digest.digest(bytes);
    }

    /** The input with object keys sorted, so that key order does not change the request hash. */
    public static JsonNode canonical(JsonNode node) {
        if (node instanceof com.fasterxml.jackson.databind.node.ObjectNode object) {
            java.util.Map<String, JsonNode> sorted = new java.util.TreeMap<>();
            for (java.util.Iterator<java.util.Map.Entry<String, JsonNode>> fields = object.fields(); fields.hasNext(); ) {
                java.util.Map.Entry<String, JsonNode> field = fields.next();
                sorted.put(field.getKey(), canonical(field.getValue()));
            }
            com.fasterxml.jackson.databind.node.ObjectNode copy = MAPPER.createObjectNode();
            sorted.forEach(copy::set);
            return copy;
        }
        if (node instanceof com.fasterxml.jackson.databind.node.ArrayNode array) {
            com.fasterxml.jackson.databind.node.ArrayNode copy = MAPPER.createArrayNode();
            array.forEach(element -> copy.add(canonical(element)));
            return copy;
        }
        return node;
    }
}
