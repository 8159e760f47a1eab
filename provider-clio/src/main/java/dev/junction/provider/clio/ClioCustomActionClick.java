package dev.junction.provider.clio;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.error.JunctionException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What Clio says when a user clicks a custom action: Clio opens the action's {@code target_url} in the user's
 * browser with {@code custom_action_id}, {@code user_id}, {@code subject_url} and a single-use
 * {@code custom_action_nonce} added to the query ([CLIO-SPEC] "Custom Actions"). {@code subject_url} is the API
 * path of the record the user was looking at, {@code /api/v4/contacts/123} on a contact's page, so the record's id
 * is its last path segment and its entity the one before.
 *
 * <p>The receiving application parses the URL it was opened with, and trusts nothing in it until the
 * {@code verify_custom_action_click} action (input {@link #verifyInput()}) returns {@code "valid": true}: anyone can
 * open that URL with made-up parameters, but only Clio can issue a nonce for the connection's user.
 *
 * <pre>{@code
 * ClioCustomActionClick click = ClioCustomActionClick.parse(openedUrl);
 * // Run "verify_custom_action_click" with click.verifyInput() on the connection that created
 * // click.customActionId(); only when its result has "valid": true, open the intake for click.contactId().
 * }</pre>
 *
 * <p>Immutable and thread-safe. {@link #toString()} hides the nonce.
 *
 * @param customActionId the custom action's id
 * @param userId the clicking user's id (unverified until the nonce is)
 * @param subjectUrl the record's API path, as Clio sent it
 * @param subjectEntity the entity of the record, such as {@code contacts} or {@code matters}, or null when
 *     {@code subject_url} is not an {@code /api/v4/<entity>/<id>} path
 * @param subjectId the record's id, or null likewise
 * @param nonce the single-use {@code custom_action_nonce}
 */
public record ClioCustomActionClick(String customActionId, String userId, String subjectUrl, String subjectEntity,
                                    String subjectId, String nonce) {

    /** The query parameter carrying the nonce, in the click and in the verifying API call. */
    public static final String NONCE_PARAMETER = "custom_action_nonce";

    private static final List<String> REQUIRED = List.of("custom_action_id", "user_id", "subject_url", NONCE_PARAMETER);

    public ClioCustomActionClick {
        Objects.requireNonNull(customActionId, "customActionId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(subjectUrl, "subjectUrl");
        Objects.requireNonNull(nonce, "nonce");
    }

    /**
     * Reads a click from the URL Clio opened.
     *
     * @throws JunctionException {@code INVALID_INPUT} when one of the four parameters is missing, blank or given
     *     twice, or the URL is malformed
     */
    public static ClioCustomActionClick parse(URI url) {
        JunctionException.requireArgument(url, "url");
        Map<String, String> parameters = new HashMap<>();
        String query = url.getRawQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int equals = pair.indexOf('=');
                String name = decode(equals < 0 ? pair : pair.substring(0, equals));
                String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
                if (REQUIRED.contains(name) && parameters.put(name, value) != null) {
                    throw JunctionException.invalidInput("custom action click has parameter '" + name + "' twice");
                }
            }
        }
        for (String name : REQUIRED) {
            if (parameters.getOrDefault(name, "").isBlank()) {
                throw JunctionException.invalidInput("custom action click has no '" + name + "' parameter");
            }
        }
        String subjectUrl = parameters.get("subject_url");
        String[] subject = subject(subjectUrl);
        return new ClioCustomActionClick(parameters.get("custom_action_id"), parameters.get("user_id"), subjectUrl,
                subject == null ? null : subject[0], subject == null ? null : subject[1], parameters.get(NONCE_PARAMETER));
    }

    /** The contact's id when the click came from a contact's page ({@code contacts/show}). */
    public Optional<String> contactId() {
        return idOf("contacts");
    }

    /** The matter's id when the click came from a matter's page ({@code matters/show}). */
    public Optional<String> matterId() {
        return idOf("matters");
    }

    /** The input of the {@code verify_custom_action_click} action for this click. */
    public ObjectNode verifyInput() {
        return JsonNodeFactory.instance.objectNode().put(NONCE_PARAMETER, nonce).put("user_id", userId);
    }

    @Override
    public String toString() {
        return "ClioCustomActionClick[customActionId=" + customActionId + ", userId=" + userId + ", subjectUrl="
                + subjectUrl + ", nonce=***]";
    }

    private Optional<String> idOf(String entity) {
        return entity.equals(subjectEntity) ? Optional.ofNullable(subjectId) : Optional.empty();
    }

    /** {entity, id} from {@code /api/v4/contacts/123}, {@code .../123.json} or an absolute URL; null otherwise. */
    private static String[] subject(String subjectUrl) {
        String path;
        try {
            path = new URI(subjectUrl).getPath();
        } catch (URISyntaxException malformed) {
            return null;
        }
        if (path == null) {
            return null;
        }
        String[] segments = path.replaceAll("/+$", "").split("/");
        int version = List.of(segments).indexOf("v4");
        if (version < 1 || !segments[version - 1].equals("api") || segments.length != version + 3) {
            return null;
        }
        String entity = segments[version + 1];
        String id = segments[version + 2].replaceFirst("\\.json$", "");
        if (!entity.matches("[a-z_]+") || !id.matches("[A-Za-z0-9_-]+")) {
            return null;
        }
        return new String[] {entity, id};
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            throw JunctionException.invalidInput("custom action click URL has a malformed query");
        }
    }
}
