package dev.junction.provider.clio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.http.HttpCall;
import dev.junction.core.http.ProviderHttpClient;
import dev.junction.core.spi.Action;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Clio's typed writes: custom actions, the links an application adds to Clio Manage's interface ([CLIO-SPEC]
 * "Custom Actions"). Core runs each {@link Action} with an idempotency key and stores its result; Clio has no
 * idempotency key of its own, so creates and updates are sent once and never retried by the HTTP stack. Every input
 * is checked before any request and refused with {@code INVALID_INPUT}, unknown fields included (a typo such as
 * {@code targetUrl} would otherwise be dropped silently).
 *
 * <ul>
 *   <li>{@code create_custom_action} {@code {"label", "target_url", "ui_reference"}}: returns the created custom
 *       action ({@code id}, {@code etag}, {@code label}, {@code target_url}, {@code ui_reference}, timestamps).
 *       Clio scopes custom actions to the user whose token creates them: a firm with several users needs one per
 *       user's connection.</li>
 *   <li>{@code update_custom_action} {@code {"id", and any of "label", "target_url", "ui_reference", optionally
 *       "etag"}}: the etag is sent as {@code If-Match}, so a stale update fails instead of overwriting.</li>
 *   <li>{@code delete_custom_action} {@code {"id"}}: returns {@code {"id", "deleted": true, "already_absent"}}; a
 *       custom action that no longer exists is not an error (a repeated DELETE finds it gone).</li>
 *   <li>{@code verify_custom_action_click} {@code {"custom_action_nonce", "user_id"?}}: see
 *       {@link ClioCustomActionClick}.</li>
 * </ul>
 *
 * <p><b>Nonce verification.</b> The request Clio's browser tab makes to a custom action's {@code target_url} is
 * unauthenticated and can be forged. Clio adds a single-use {@code custom_action_nonce}; the application sends it
 * back on its next API call with the clicking user's token, and Clio answers 403 unless the nonce was issued to
 * that token's user. {@code verify_custom_action_click} makes that call as {@code GET /users/who_am_i.json
 * ?custom_action_nonce=...} and returns {@code {"valid": true, "user": {"id", "name", "email"}}}. A 403 is an
 * answer, not a failure, so it returns {@code {"valid": false, "reason": "nonce_rejected", "detail"}}; when the
 * click's {@code user_id} is given and is not the token's user, {@code {"valid": false, "reason":
 * "user_mismatch"}}. Any other failure (401, 429, 5xx) is thrown as usual. The nonce is spent by that one call: if
 * its answer is lost and the stack repeats the GET, the repeat gets 403, so a lost answer fails closed.
 *
 * <p>Stateless and thread-safe.
 */
public final class ClioActions {

    public static final String CREATE_CUSTOM_ACTION = "create_custom_action";
    public static final String UPDATE_CUSTOM_ACTION = "update_custom_action";
    public static final String DELETE_CUSTOM_ACTION = "delete_custom_action";
    public static final String VERIFY_CUSTOM_ACTION_CLICK = "verify_custom_action_click";

    /** Where in Clio Manage's interface a custom action may appear. */
    public static final Set<String> UI_REFERENCES =
            Set.of("activities/show", "documents/show", "contacts/show", "matters/show", "folders/show");
    /** The label {@link #openSmartIntake} gives its custom action. */
    public static final String SMART_INTAKE_LABEL = "Open Smart Intake";

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final String ENTITY = "custom_actions";
    private static final String RESPONSE_FIELDS = "id,etag,label,target_url,ui_reference,created_at,updated_at";
    private static final Set<String> WRITABLE = Set.of("label", "target_url", "ui_reference");
    private static final int LONGEST_NONCE = 1_024;

    private ClioActions() {
    }

    /** The four custom-action actions, as {@link ClioProvider#actions()} lists them. */
    public static List<Action> all() {
        return List.of(
                action(CREATE_CUSTOM_ACTION, "Adds a custom action (a link) to Clio Manage's interface for the connection's user",
                        ClioActions::create),
                action(UPDATE_CUSTOM_ACTION, "Changes a custom action's label, target URL or placement", ClioActions::update),
                action(DELETE_CUSTOM_ACTION, "Removes a custom action", ClioActions::delete),
                action(VERIFY_CUSTOM_ACTION_CLICK,
                        "Checks a custom action click's single-use nonce with Clio and names the clicking user",
                        ClioActions::verify));
    }

    /**
     * The input of {@code create_custom_action} for an "Open Smart Intake" link on every contact's page. When a user
     * clicks it, Clio opens {@code targetUrl} with {@code custom_action_id}, {@code user_id}, {@code subject_url}
     * ({@code /api/v4/contacts/123}) and {@code custom_action_nonce} added to the query; the receiving app reads
     * the contact id with {@link ClioCustomActionClick#parse} ({@link ClioCustomActionClick#contactId()}), picks the
     * connection by {@code custom_action_id} (returned by {@code create_custom_action}, and unique per user), and
     * trusts the click only after {@code verify_custom_action_click} says it is valid.
     *
     * @param targetUrl the intake page, an absolute http(s) URL (Clio opens it in the user's browser)
     * @throws JunctionException {@code INVALID_INPUT} when {@code targetUrl} is not an absolute http(s) URL
     */
    public static ObjectNode openSmartIntake(String targetUrl) {
        ObjectNode input = JSON.createObjectNode()
                .put("label", SMART_INTAKE_LABEL)
                .put("target_url", targetUrl)
                .put("ui_reference", "contacts/show");
        checkTargetUrl(input.get("target_url"));
        return input;
    }

    private static JsonNode create(Action.ActionContext context) {
        ObjectNode input = inputObject(context, Set.of("label", "target_url", "ui_reference"));
        checkLabel(input.get("label"));
        checkTargetUrl(input.get("target_url"));
        checkUiReference(input.get("ui_reference"));
        ObjectNode request = JSON.createObjectNode();
        request.set("data", input.deepCopy());
        return data(http(context).executeJson(HttpCall.post("custom_actions.json", "application/json", body(request))
                .withQuery("fields", RESPONSE_FIELDS).withEntity(ENTITY)));
    }

    private static JsonNode update(Action.ActionContext context) {
        ObjectNode input = inputObject(context, Set.of("id", "label", "target_url", "ui_reference", "etag"));
        String id = id(input.get("id"), "id");
        ObjectNode changes = JSON.createObjectNode();
        for (String field : WRITABLE) {
            if (input.has(field)) {
                changes.set(field, input.get(field));
            }
        }
        if (changes.isEmpty()) {
            throw JunctionException.invalidInput(UPDATE_CUSTOM_ACTION + " needs at least one of label, target_url, ui_reference");
        }
        if (changes.has("label")) {
            checkLabel(changes.get("label"));
        }
        if (changes.has("target_url")) {
            checkTargetUrl(changes.get("target_url"));
        }
        if (changes.has("ui_reference")) {
            checkUiReference(changes.get("ui_reference"));
        }
        JsonNode etag = input.get("etag");
        if (etag != null && !(etag.isTextual() && !etag.asText().isBlank())) {
            throw JunctionException.invalidInput("etag must be the custom action's etag text");
        }
        ObjectNode request = JSON.createObjectNode();
        request.set("data", changes);
        HttpCall call = HttpCall.patch("custom_actions/" + id + ".json", "application/json", body(request))
                .withQuery("fields", RESPONSE_FIELDS).withEntity(ENTITY);
        if (etag != null) {
            call = call.withHeader("If-Match", etag.asText());
        }
        return data(http(context).executeJson(call));
    }

    private static JsonNode delete(Action.ActionContext context) {
        ObjectNode input = inputObject(context, Set.of("id"));
        String id = id(input.get("id"), "id");
        boolean alreadyAbsent = false;
        try {
            http(context).execute(HttpCall.delete("custom_actions/" + id + ".json").withEntity(ENTITY));
        } catch (JunctionException failure) {
            if (failure.kind() != ErrorKind.NOT_FOUND) {
                throw failure;
            }
            alreadyAbsent = true;
        }
        return JSON.createObjectNode().put("id", id).put("deleted", true).put("already_absent", alreadyAbsent);
    }

    private static JsonNode verify(Action.ActionContext context) {
        ObjectNode input = inputObject(context, Set.of("custom_action_nonce", "user_id"));
        JsonNode nonceNode = input.get("custom_action_nonce");
        if (nonceNode == null || !nonceNode.isTextual() || nonceNode.asText().isBlank()
                || nonceNode.asText().length() > LONGEST_NONCE) {
            throw JunctionException.invalidInput("custom_action_nonce must be the nonce from the click's URL");
        }
        String userId = input.hasNonNull("user_id") ? id(input.get("user_id"), "user_id") : null;
        JsonNode user;
        try {
            user = data(http(context).executeJson(HttpCall.get("users/who_am_i.json")
                    .withQuery("fields", "id,name,email")
                    .withQuery(ClioCustomActionClick.NONCE_PARAMETER, nonceNode.asText())
                    .withEntity("users")));
        } catch (JunctionException failure) {
            Integer status = failure.context().httpStatus();
            if (status == null || status != 403) {
                throw failure;
            }
            return JSON.createObjectNode().put("valid", false).put("reason", "nonce_rejected")
                    .put("detail", "Clio refused the custom_action_nonce (unknown, expired, already used, or issued to"
                            + " another user): " + failure.reason());
        }
        if (userId != null && !userId.equals(user.path("id").asText())) {
            return JSON.createObjectNode().put("valid", false).put("reason", "user_mismatch")
                    .put("detail", "the nonce belongs to the connection's user " + user.path("id").asText()
                            + ", not to the click's user_id " + userId);
        }
        ObjectNode result = JSON.createObjectNode().put("valid", true);
        result.set("user", user);
        return result;
    }

    private static ProviderHttpClient http(Action.ActionContext context) {
        return ClioConnector.httpClient(context.connection(),
                ClioProvider.apiBaseUrl(context.connection().connectionSettings()));
    }

    /** The input as an object holding only {@code allowed} fields. */
    private static ObjectNode inputObject(Action.ActionContext context, Set<String> allowed) {
        JsonNode input = context.input();
        if (input == null || !input.isObject()) {
            throw JunctionException.invalidInput("the input must be a JSON object");
        }
        Iterator<String> names = input.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw JunctionException.invalidInput("unknown input field '" + name + "'; expected " + allowed);
            }
        }
        return (ObjectNode) input;
    }

    private static void checkLabel(JsonNode label) {
        if (label == null || !label.isTextual() || label.asText().isBlank()) {
            throw JunctionException.invalidInput("label must be non-blank text");
        }
    }

    private static void checkTargetUrl(JsonNode targetUrl) {
        if (targetUrl == null || !targetUrl.isTextual()) {
            throw JunctionException.invalidInput("target_url must be an absolute http or https URL");
        }
        try {
            URI uri = new URI(targetUrl.asText());
            boolean web = "https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme());
            if (!web || uri.getHost() == null) {
                throw JunctionException.invalidInput("target_url must be an absolute http or https URL");
            }
        } catch (URISyntaxException malformed) {
            throw JunctionException.invalidInput("target_url must be an absolute http or https URL");
        }
    }

    private static void checkUiReference(JsonNode uiReference) {
        if (uiReference == null || !uiReference.isTextual() || !UI_REFERENCES.contains(uiReference.asText())) {
            throw JunctionException.invalidInput("ui_reference must be one of " + UI_REFERENCES.stream().sorted().toList());
        }
    }

    /** A positive integer id given as a number or as text. */
    private static String id(JsonNode node, String name) {
        String text = node == null ? "" : node.isIntegralNumber() || node.isTextual() ? node.asText() : "";
        if (!text.matches("[1-9][0-9]{0,18}")) {
            throw JunctionException.invalidInput(name + " must be a positive integer id");
        }
        return text;
    }

    private static JsonNode data(JsonNode body) {
        JsonNode data = body.path("data");
        if (!data.isObject()) {
            throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "Clio response has no 'data' object",
                    ErrorContext.provider(ClioProvider.ID));
        }
        return data;
    }

    private static byte[] body(JsonNode json) {
        try {
            return JSON.writeValueAsBytes(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException impossible) {
            throw new IllegalStateException("a JSON tree always serialises", impossible);
        }
    }

    private static Action action(String name, String description, Function<Action.ActionContext, JsonNode> body) {
        return Action.of(name, description, body);
    }
}
