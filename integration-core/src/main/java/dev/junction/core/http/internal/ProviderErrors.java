package dev.junction.core.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.error.NeedsReauthException;
import dev.junction.core.error.ProviderUnavailableException;
import dev.junction.core.error.RateLimitedException;
import dev.junction.core.http.HttpResult;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Maps a provider's unsuccessful answer to the error taxonomy. The message names the request and status and, when
 * the provider explained itself briefly, quotes that explanation with any credential scrubbed from it. Stateless.
 */
public final class ProviderErrors {

    /** Longer explanations (HTML error pages, stack traces) are left out rather than cut. */
    private static final int LONGEST_QUOTED_EXPLANATION = 200;

    /** Where providers put their explanation: Stripe and Clio, OAuth, Chatwoot and most others, RFC 9457. */
    private static final List<String> EXPLANATION_POINTERS = List.of("/error/message", "/error_description", "/message",
            "/error", "/errors/0/message", "/errors/0", "/detail", "/title");

    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    private static final ObjectMapper LENIENT = JsonMapper.builder().build();

    private ProviderErrors() {
    }

    /**
     * The exception for {@code result}.
     *
     * @param what the request, as "METHOD path"
     * @param secretValues the credential values the request carried, scrubbed from any quoted explanation
     */
    public static JunctionException forResult(String what, HttpResult result, ErrorContext context, Instant now,
                                              Collection<String> secretValues) {
        int status = result.status();
        ErrorContext full = context.withHttpStatus(status).withRequestId(result.requestId());
        String message = what + " answered " + status
                + explanation(result).map(text -> ": " + Redaction.scrub(text, secretValues)).orElse("");
        if (status == 401) {
            return new NeedsReauthException(message, full);
        }
        if (status == 404) {
            return new JunctionException(ErrorKind.NOT_FOUND, message, full);
        }
        if (status == 429) {
            return new RateLimitedException(message, RetryAfter.of(result, now).orElse(Duration.ZERO), full);
        }
        if (status == 408 || status >= 500) {
            return new ProviderUnavailableException(message, RetryAfter.of(result, now).orElse(null), full, null);
        }
        if (REDIRECTS.contains(status)) {
            return new JunctionException(ErrorKind.INVALID_REQUEST,
                    message + " (redirects are not followed, so credentials stay on the base URL's host)", full);
        }
        return new JunctionException(ErrorKind.INVALID_REQUEST, message, full);
    }

    private static Optional<String> explanation(HttpResult result) {
        String text = result.bodyText().strip();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        if (text.startsWith("{") || text.startsWith("[")) {
            return jsonExplanation(result.body()).flatMap(ProviderErrors::shortLine);
        }
        return text.startsWith("<") ? Optional.empty() : shortLine(text);
    }

    private static Optional<String> jsonExplanation(byte[] body) {
        JsonNode json;
        try {
            json = LENIENT.readTree(body);
        } catch (IOException notJson) {
            return Optional.empty();
        }
        for (String pointer : EXPLANATION_POINTERS) {
            JsonNode node = json.at(pointer);
            if (node.isTextual() && !node.asText().isBlank()) {
                return Optional.of(node.asText());
            }
        }
        return Optional.empty();
    }

    private static Optional<String> shortLine(String text) {
        String line = text.replaceAll("\\s+", " ").strip();
        return line.length() <= LONGEST_QUOTED_EXPLANATION ? Optional.of(line) : Optional.empty();
    }
}
