package dev.junction.provider.clio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.junction.provider.clio.Eventually.assertEventually;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.spi.Action;
import dev.junction.core.spi.ConnectorContext;
import dev.junction.provider.clio.sandbox.ClioSandbox;
import dev.junction.sandbox.DatasetRecord;
import dev.junction.sandbox.MutableClock;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The custom-action actions against a real {@link ClioSandbox}. */
class ClioActionsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MutableClock clock = MutableClock.at(Instant.parse("2024-05-01T12:00:00Z"));
    private final ClioProvider provider = new ClioProvider();
    private ClioSandbox sandbox;
    private SandboxConnectorContext firstUser;
    private SandboxConnectorContext secondUser;

    @BeforeEach
    void start() {
        sandbox = ClioSandbox.builder().withClock(clock).withRateLimit(1_000, Duration.ofSeconds(60)).start();
        firstUser = new SandboxConnectorContext(sandbox, clock, 1);
        secondUser = new SandboxConnectorContext(sandbox, clock, 2);
    }

    @AfterEach
    void stop() {
        firstUser.close();
        secondUser.close();
        sandbox.close();
    }

    private record Run(ConnectorContext connection, JsonNode input, String idempotencyKey) implements Action.ActionContext {
    }

    private JsonNode run(String name, ConnectorContext connection, String input) {
        try {
            return run(name, connection, JSON.readTree(input));
        } catch (IOException malformed) {
            throw new AssertionError(malformed);
        }
    }

    private JsonNode run(String name, ConnectorContext connection, JsonNode input) {
        Action action = provider.actions().stream().filter(candidate -> candidate.name().equals(name)).findFirst()
                .orElseThrow();
        return action.execute(new Run(connection, input, "key-" + name));
    }

    private Optional<JsonNode> customActionInSandbox(long id) {
        return sandbox.record(dev.junction.provider.clio.sandbox.ClioEntity.CUSTOM_ACTIONS, id).map(DatasetRecord::body);
    }

    private long createSmartIntake() {
        return run("create_custom_action", firstUser, ClioActions.openSmartIntake("https://intake.example/clio/open"))
                .get("id").asLong();
    }

    @Test
    void theProviderListsTheFourCustomActionActions() {
        assertThat(provider.actions()).extracting(Action::name).containsExactly(
                "create_custom_action", "update_custom_action", "delete_custom_action", "verify_custom_action_click");
        assertThat(provider.actions()).allSatisfy(action -> assertThat(action.description()).isNotBlank());
    }

    @Test
    void createAddsTheCustomActionAndReturnsIt() {
        JsonNode created = run("create_custom_action", firstUser, """
                {"label": "Open in Junction", "target_url": "https://app.example/clio", "ui_reference": "matters/show"}""");

        JsonNode stored = customActionInSandbox(created.get("id").asLong()).orElseThrow();
        assertThat(created.get("label").asText()).isEqualTo("Open in Junction");
        assertThat(created.get("etag").asText()).isNotBlank();
        assertThat(stored.get("target_url").asText()).isEqualTo("https://app.example/clio");
        assertThat(stored.get("ui_reference").asText()).isEqualTo("matters/show");
    }

    @Test
    void theSmartIntakeHelperBuildsAContactPageActionWithItsTargetUrl() {
        ObjectNode input = ClioActions.openSmartIntake("https://intake.example/clio/open");

        assertThat(input.get("label").asText()).isEqualTo("Open Smart Intake");
        assertThat(input.get("ui_reference").asText()).isEqualTo("contacts/show");
        assertThat(input.get("target_url").asText()).isEqualTo("https://intake.example/clio/open");
        assertThatThrownBy(() -> ClioActions.openSmartIntake("intake.example/clio"))
                .asInstanceOf(type(JunctionException.class))
                .extracting(JunctionException::kind).isEqualTo(ErrorKind.INVALID_INPUT);
    }

    @Test
    void updateChangesOnlyTheGivenFieldsAndAStaleEtagIsRefused() {
        long id = createSmartIntake();
        String etag = customActionInSandbox(id).orElseThrow().get("etag").asText();

        JsonNode updated = run("update_custom_action", firstUser, JSON.createObjectNode()
                .put("id", id).put("label", "Start intake").put("etag", etag));

        assertThat(updated.get("label").asText()).isEqualTo("Start intake");
        assertThat(customActionInSandbox(id).orElseThrow().get("ui_reference").asText()).isEqualTo("contacts/show");
        assertThatThrownBy(() -> run("update_custom_action", firstUser, JSON.createObjectNode()
                        .put("id", Long.toString(id)).put("label", "Lost update").put("etag", etag)))
                .asInstanceOf(type(JunctionException.class))
                .satisfies(failure -> {
                    assertThat(failure.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
                    assertThat(failure.context().httpStatus()).isEqualTo(412);
                });
        assertThat(customActionInSandbox(id).orElseThrow().get("label").asText()).isEqualTo("Start intake");
    }

    @Test
    void deleteRemovesTheCustomActionAndOneAlreadyGoneIsNotAnError() {
        long id = createSmartIntake();

        JsonNode first = run("delete_custom_action", firstUser, "{\"id\": " + id + "}");
        JsonNode second = run("delete_custom_action", firstUser, "{\"id\": \"" + id + "\"}");

        assertThat(customActionInSandbox(id)).isEmpty();
        assertThat(first.get("already_absent").asBoolean()).isFalse();
        assertThat(second.get("already_absent").asBoolean()).isTrue();
        assertThat(second.get("deleted").asBoolean()).isTrue();
    }

    @Test
    void unusableInputIsRefusedBeforeAnyRequest() {
        List<String[]> cases = List.of(
                new String[] {"create_custom_action", "{\"label\": \" \", \"target_url\": \"https://a.example\", \"ui_reference\": \"contacts/show\"}"},
                new String[] {"create_custom_action", "{\"label\": \"L\", \"target_url\": \"/relative\", \"ui_reference\": \"contacts/show\"}"},
                new String[] {"create_custom_action", "{\"label\": \"L\", \"target_url\": \"ftp://a.example/x\", \"ui_reference\": \"contacts/show\"}"},
                new String[] {"create_custom_action", "{\"label\": \"L\", \"target_url\": \"https://a.example\", \"ui_reference\": \"bills/show\"}"},
                new String[] {"create_custom_action", "{\"label\": \"L\", \"targetUrl\": \"https://a.example\", \"ui_reference\": \"contacts/show\"}"},
                new String[] {"create_custom_action", "{\"label\": \"L\", \"ui_reference\": \"contacts/show\"}"},
                new String[] {"create_custom_action", "[]"},
                new String[] {"update_custom_action", "{\"label\": \"L\"}"},
                new String[] {"update_custom_action", "{\"id\": 7}"},
                new String[] {"update_custom_action", "{\"id\": \"7/../8\", \"label\": \"L\"}"},
                new String[] {"update_custom_action", "{\"id\": 7, \"ui_reference\": \"nowhere\"}"},
                new String[] {"delete_custom_action", "{\"id\": -3}"},
                new String[] {"delete_custom_action", "{}"},
                new String[] {"verify_custom_action_click", "{\"user_id\": 1}"},
                new String[] {"verify_custom_action_click", "{\"custom_action_nonce\": \"n\", \"user_id\": \"me\"}"});

        for (String[] invalid : cases) {
            assertThatThrownBy(() -> run(invalid[0], firstUser, invalid[1])).as(invalid[0] + " " + invalid[1])
                    .asInstanceOf(type(JunctionException.class))
                    .extracting(JunctionException::kind).isEqualTo(ErrorKind.INVALID_INPUT);
        }
        assertThat(sandbox.requestLog().totalCount()).isZero();
    }

    @Test
    void aClickNonceVerifiesOnceForTheClickingUser() {
        long id = createSmartIntake();
        URI opened = sandbox.simulateCustomActionClick(id, 1, "/api/v4/contacts/3");
        ClioCustomActionClick click = ClioCustomActionClick.parse(opened);

        JsonNode first = run("verify_custom_action_click", firstUser, click.verifyInput());
        JsonNode reused = run("verify_custom_action_click", firstUser, click.verifyInput());

        assertThat(click.contactId()).contains("3");
        assertThat(click.customActionId()).isEqualTo(Long.toString(id));
        assertThat(first.get("valid").asBoolean()).isTrue();
        assertThat(first.get("user").get("id").asLong()).isEqualTo(1);
        assertThat(first.get("user").get("name").asText()).isNotBlank();
        assertThat(reused.get("valid").asBoolean()).isFalse();
        assertThat(reused.get("reason").asText()).isEqualTo("nonce_rejected");
        assertThat(reused.get("detail").asText()).doesNotContain(click.nonce());
    }

    @Test
    void aNonceIssuedToAnotherUserDoesNotVerify() {
        long id = createSmartIntake();
        ClioCustomActionClick click = ClioCustomActionClick.parse(sandbox.simulateCustomActionClick(id, 2, "/api/v4/contacts/3"));

        JsonNode verdict = run("verify_custom_action_click", firstUser, click.verifyInput());

        assertThat(verdict.get("valid").asBoolean()).isFalse();
        assertThat(verdict.get("reason").asText()).isEqualTo("nonce_rejected");
    }

    @Test
    void aClickWhoseUserIdIsNotTheTokensUserDoesNotVerify() {
        long id = createSmartIntake();
        ClioCustomActionClick click = ClioCustomActionClick.parse(sandbox.simulateCustomActionClick(id, 2, "/api/v4/contacts/3"));
        ObjectNode input = click.verifyInput().put("user_id", "1");

        JsonNode verdict = run("verify_custom_action_click", secondUser, input);

        assertThat(verdict.get("valid").asBoolean()).isFalse();
        assertThat(verdict.get("reason").asText()).isEqualTo("user_mismatch");
    }

    @Test
    void theNonceIsSentAsAQueryParameterOfWhoAmI() {
        long id = createSmartIntake();
        ClioCustomActionClick click = ClioCustomActionClick.parse(sandbox.simulateCustomActionClick(id, 1, "/api/v4/contacts/3"));

        run("verify_custom_action_click", firstUser, click.verifyInput());

        assertEventually(() -> assertThat(sandbox.requestLog().entries("/api/v4/users/who_am_i.json")).singleElement()
                .satisfies(entry -> {
                    assertThat(entry.method()).isEqualTo("GET");
                    assertThat(entry.queryParameter(ClioCustomActionClick.NONCE_PARAMETER)).isEqualTo(click.nonce());
                    assertThat(entry.status()).isEqualTo(200);
                }));
    }
}
