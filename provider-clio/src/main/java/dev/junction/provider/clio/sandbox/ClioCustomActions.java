package dev.junction.provider.clio.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.sandbox.AccessGrant;
import dev.junction.sandbox.QueryParameters;
import dev.junction.sandbox.SandboxRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Clio custom actions: validation of the records, and the {@code custom_action_nonce} check.
 *
 * <p>From Clio's "Custom Actions" documentation: when a user clicks a custom action, Clio opens its
 * {@code target_url} with the custom action id, the user id, the {@code subject_url} and a {@code
 * custom_action_nonce}; the application sends the nonce back on its next API request, and Clio
 * checks the clicking user is the token's user. Here a nonce works once; an unknown, reused or
 * foreign nonce gets {@code 403}. Thread-safe.
 */
final class ClioCustomActions {

    static final Set<String> UI_REFERENCES =
            Set.of("activities/show", "documents/show", "contacts/show", "matters/show", "folders/show");
    static final Set<String> WRITABLE_FIELDS = Set.of("label", "target_url", "ui_reference");
    static final String NONCE_PARAMETER = "custom_action_nonce";

    private static final SecureRandom RANDOM = new SecureRandom();

    /** Outstanding nonces and the user each was issued to. */
    private final Map<String, Long> nonces = new ConcurrentHashMap<>();

    /** Returns the URL Clio would open when {@code userId} clicks {@code action} on {@code subjectUrl}. */
    URI click(ObjectNode action, long userId, String subjectUrl) {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        nonces.put(nonce, userId);
        QueryParameters parameters = QueryParameters.empty()
                .with("custom_action_id", action.path("id").asText())
                .with("user_id", Long.toString(userId))
                .with("subject_url", subjectUrl)
                .with(NONCE_PARAMETER, nonce);
        String target = action.path("target_url").asText();
        return URI.create(target + (target.contains("?") ? "&" : "?") + parameters.encode());
    }

    /** Checks and uses up the request's {@code custom_action_nonce}, if it has one. */
    void checkNonce(SandboxRequest request, AccessGrant grant) {
        Optional<String> nonce = request.queryParameter(NONCE_PARAMETER);
        if (nonce.isEmpty()) {
            return;
        }
        Long userId = nonces.remove(nonce.get());
        if (userId == null) {
            throw ClioErrors.forbidden("The custom_action_nonce is invalid or has already been used");
        }
        if (!userId.toString().equals(grant.subject())) {
            throw ClioErrors.forbidden("The custom_action_nonce was issued for another user");
        }
    }

    /** Validates a custom action record. */
    static void check(ObjectNode action) {
        JsonNode label = action.path("label");
        if (!label.isTextual() || label.asText().isBlank()) {
            throw ClioErrors.invalidRecord("label can't be blank");
        }
        if (!isWebUrl(action.path("target_url").asText(""))) {
            throw ClioErrors.invalidRecord("target_url must be an absolute http or https URL");
        }
        if (!UI_REFERENCES.contains(action.path("ui_reference").asText(""))) {
            throw ClioErrors.invalidRecord("ui_reference must be one of " + UI_REFERENCES);
        }
    }

    private static boolean isWebUrl(String text) {
        try {
            URI uri = new URI(text);
            return uri.getHost() != null && ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()));
        } catch (URISyntaxException malformed) {
            return false;
        }
    }
}
