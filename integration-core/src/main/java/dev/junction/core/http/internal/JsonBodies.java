package dev.junction.core.http.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.http.HttpResult;
import java.io.IOException;

/**
 * Parses response bodies and turns unreadable ones into {@code UNEXPECTED_PAYLOAD}. Messages say where the JSON
 * broke but never quote it: a body may hold tokens or personal data. Stateless.
 */
public final class JsonBodies {

    private JsonBodies() {
    }

    /**
     * The mapper a stack uses unless given another: java.time support, unknown properties ignored (providers add
     * fields), trailing garbage after the JSON value rejected.
     */
    public static ObjectMapper standardMapper() {
        return JsonMapper.builder()
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
