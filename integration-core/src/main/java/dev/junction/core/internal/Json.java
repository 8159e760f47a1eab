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

    /** {@code value.toString()}, written by hand (see {@link IsoInstantSerializer}). */
    public static String iso(java.time.Instant value) {
        if (value.getEpochSecond() < -62_167_219_200L || value.getEpochSecond() >= 253_402_300_800L) {
            return value.toString(); // before year 0 or after 9999
        }
        java.time.LocalDateTime utc = java.time.LocalDateTime.ofEpochSecond(value.getEpochSecond(), value.getNano(),
                java.time.ZoneOffset.UTC);
        int year = utc.getYear();
        if (year < 0 || year > 9999) {
            return value.toString();
        }
        char[] out = new char[30];
        int at = 0;
        at = digits(out, at, year, 4);
        out[at++] = '-';
        at = digits(out, at, utc.getMonthValue(), 2);
        out[at++] = '-';
        at = digits(out, at, utc.getDayOfMonth(), 2);
        out[at++] = 'T';
        at = digits(out, at, utc.getHour(), 2);
        out[at++] = ':';
        at = digits(out, at, utc.getMinute(), 2);
        out[at++] = ':';
        at = digits(out, at, utc.getSecond(), 2);
        int nano = utc.getNano();
        if (nano != 0) {
            out[at++] = '.';
            if (nano % 1_000_000 == 0) at = digits(out, at, nano / 1_000_000, 3);
            else if (nano % 1_000 == 0) at = digits(out, at, nano / 1_000, 6);
            else at = digits(out, at, nano, 9);
        }
        out[at++] = 'Z';
        return new String(out, 0, at);
    }

    private static int digits(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
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

    /** SHA-256 of the bytes. */
    public static byte[] sha256Digest(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every Java platform has SHA-256
        }
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
