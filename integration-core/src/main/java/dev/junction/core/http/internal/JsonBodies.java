package dev.junction.core.http.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.http.HttpResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses response bodies and turns unreadable ones into {@code UNEXPECTED_PAYLOAD}. Messages say where the JSON
 * broke but never quote it: a body may hold tokens or personal data. Stateless.
 */
public final class JsonBodies {

    private JsonBodies() {
    }

    /**
     * The mapper a stack uses unless given another: java.time support, unknown properties ignored (providers add
     * fields), trailing garbage after the JSON value rejected, objects' fields kept in {@link SmallObjectNodes}' maps.
     */
    public static ObjectMapper standardMapper() {
        return JsonMapper.builder()
                .nodeFactory(SmallObjectNodes.INSTANCE)
                .addModule(new JavaTimeModule())
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    /** The body of {@code result} as JSON; {@code what} names the request in the error ("GET contacts"). */
    public static JsonNode parse(ObjectMapper mapper, HttpResult result, String what, ErrorContext context) {
        ErrorContext full = context.withHttpStatus(result.status()).withRequestId(result.requestId());
        JsonNode body;
        try {
            body = mapper.readTree(result.body());
        } catch (IOException unreadable) {
            throw unexpectedPayload(what, unreadable, full);
        }
        if (body == null || body.isMissingNode()) {
            throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, what + " answered with an empty body where JSON was expected", full);
        }
        return body;
    }

    private static final JsonFactory FACTORY = new JsonFactory();

    /**
     * The exact text of each element of the top-level array {@code field} of a JSON object {@code body}, cut out of
     * the body by the parser's byte offsets (tokenised once more, no tree built), or null when they cannot all be cut
     * out: an element that is not an object or array, a count other than {@code expected}, a body not in UTF-8 (a
     * byte-order mark), or a body that does not parse. Callers then fall back to serialising the parsed elements.
     */
    public static List<String> arrayElementTexts(byte[] body, String field, int expected) {
        if (body.length >= 2 && ((body[0] & 0xff) >= 0xef || body[0] == 0 || body[1] == 0)) {
            return null; // a byte-order mark or UTF-16/32: byte offsets would not be UTF-8 character positions
        }
        try (JsonParser parser = FACTORY.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            List<String> texts = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (!name.equals(field)) {
                    parser.skipChildren();
                    continue;
                }
                if (texts != null || value != JsonToken.START_ARRAY) {
                    return null; // the field twice (the parsed tree kept the last), or not an array
                }
                texts = new ArrayList<>(expected);
                JsonToken element;
                while ((element = parser.nextToken()) != JsonToken.END_ARRAY) {
                    long start = parser.currentTokenLocation().getByteOffset();
                    parser.skipChildren();
                    String text = cut(body, start, parser.currentLocation().getByteOffset(), element);
                    if (text == null) {
                        return null;
                    }
                    texts.add(text);
                }
            }
            return texts != null && texts.size() == expected ? texts : null;
        } catch (IOException unreadable) {
            return null;
        }
    }

    /**
     * The text of the element that opened with {@code opening} at byte {@code start} and ended just before {@code end}
     * (the parser's position after its closing bracket), or null when it is not an object or array or the offsets do
     * not frame it.
     */
    private static String cut(byte[] body, long start, long end, JsonToken opening) {
        char closing = opening == JsonToken.START_OBJECT ? '}' : opening == JsonToken.START_ARRAY ? ']' : 0;
        if (closing == 0 || start < 0 || end > body.length || end <= start || body[(int) end - 1] != closing) {
            return null;
        }
        return new String(body, (int) start, (int) (end - start), StandardCharsets.UTF_8);
    }

    /** A list page's body with the exact text of each element of its top-level arrays of objects, by field. */
    public record ParsedPage(JsonNode body, Map<String, List<String>> elementTexts) {}

    /**
     * Parses a list page in one pass: the same tree as {@link #parse}, and for each top-level array whose elements are
     * all objects or arrays, each element's text cut out of the body by the parser's byte offsets (so a connector can
     * store the provider's bytes without serialising each record again and without tokenising the page twice). A body
     * that is not a JSON object, or not in UTF-8 without a byte-order mark, is parsed by {@link #parse} with no texts.
     */
    public static ParsedPage parsePage(ObjectMapper mapper, HttpResult result, String what, ErrorContext context) {
        byte[] body = result.body();
        if (body.length < 2 || (body[0] & 0xff) >= 0xef || body[0] == 0 || body[1] == 0) {
            return new ParsedPage(parse(mapper, result, what, context), Map.of());
        }
        try (JsonParser parser = mapper.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return new ParsedPage(parse(mapper, result, what, context), Map.of());
            }
            // Reads one value where the parser stands (the page's own end is checked below).
            com.fasterxml.jackson.databind.ObjectReader values = mapper.readerFor(JsonNode.class)
                    .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
            ObjectNode root = mapper.getNodeFactory().objectNode();
            Map<String, List<String>> texts = new HashMap<>();
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                token = parser.nextToken();
                texts.remove(name); // a repeated field: the last one wins, in the tree as here
                if (token != JsonToken.START_ARRAY) {
                    root.set(name, valueOf(values, mapper, parser));
                    continue;
                }
                List<String> elements = readArray(parser, body, root.putArray(name), values, mapper);
                if (elements != null) {
                    texts.put(name, elements);
                }
            }
            if (token != JsonToken.END_OBJECT) {
                throw new JsonEOFException(parser, null, "the page ends inside its object");
            }
            if (parser.nextToken() != null) {
                throw new com.fasterxml.jackson.core.JsonParseException(parser, "trailing content after the page's object");
            }
            return new ParsedPage(root, texts);
        } catch (IOException unreadable) {
            throw unexpectedPayload(what, unreadable, context.withHttpStatus(result.status()).withRequestId(result.requestId()));
        }
    }

    /**
     * Reads the array the parser has just entered into {@code array}; returns each element's text cut out of the
     * body, or null when they cannot all be cut out. A method of its own: called once a page, it holds the loop over the
     * page's records, which the optimising compiler then compiles apart from the rest of the page's parse.
     */
    private static List<String> readArray(JsonParser parser, byte[] body, ArrayNode array,
            com.fasterxml.jackson.databind.ObjectReader values, ObjectMapper mapper) throws IOException {
        List<String> elements = new ArrayList<>();
        boolean exact = true;
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token == null) {
                throw new JsonEOFException(parser, null, "the page ends inside an array");
            }
            long start = parser.currentTokenLocation().getByteOffset();
            array.add(valueOf(values, mapper, parser));
            String text = exact ? cut(body, start, parser.currentLocation().getByteOffset(), token) : null;
            if (text != null) {
                elements.add(text);
            } else {
                exact = false;
            }
        }
        return exact ? elements : null;
    }

    /** The value at the parser's current token, as a tree (JSON {@code null} as a null node). */
    private static JsonNode valueOf(com.fasterxml.jackson.databind.ObjectReader values, ObjectMapper mapper, JsonParser parser)
            throws IOException {
        JsonNode value = values.readTree(parser);
        return value == null ? mapper.getNodeFactory().nullNode() : value;
    }

    /** The error for a body that could not be read; {@code failure} or one of its causes says why. */
    public static JunctionException unexpectedPayload(String what, Throwable failure, ErrorContext context) {
        Throwable cause = failure;
        while (cause != null && !(cause instanceof JsonProcessingException)) {
            cause = cause.getCause();
        }
        String problem = "an unreadable body";
        if (cause instanceof JsonEOFException truncated) {
            problem = "JSON that ends early" + location(truncated.getLocation());
        } else if (cause instanceof JsonProcessingException malformed) {
            problem = "malformed JSON" + location(malformed.getLocation());
        }
        // The parser's own message quotes the body, so it is deliberately not attached as the cause.
        return new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, what + " answered with " + problem, context);
    }

    private static String location(JsonLocation location) {
        return location == null ? "" : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }
}
