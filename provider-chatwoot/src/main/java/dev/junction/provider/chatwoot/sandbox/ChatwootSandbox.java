package dev.junction.provider.chatwoot.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.sandbox.ControllableSandbox;
import dev.junction.sandbox.FaultInjector;
import dev.junction.sandbox.FixedWindowRateLimiter;
import dev.junction.sandbox.RateLimitStatistics;
import dev.junction.sandbox.RequestLog;
import dev.junction.sandbox.RouteHandler;
import dev.junction.sandbox.Sandbox;
import dev.junction.sandbox.SandboxJson;
import dev.junction.sandbox.SandboxRequest;
import dev.junction.sandbox.SandboxResponse;
import dev.junction.sandbox.SandboxServer;
import dev.junction.sandbox.WebhookDelivery;
import dev.junction.sandbox.WebhookDispatcher;
import dev.junction.sandbox.WebhookSigner;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A simulator of Chatwoot's Application API ({@code /api/v1/accounts/{account_id}/…}), built from Chatwoot's public
 * docs and source as summarised in {@code shared/providers.md} §3 — not from Junction's client. Every request:
 * <ol>
 *   <li>needs the {@code api_access_token} header with the sandbox token (401 {@code {"error": "You need to sign in
 *       or sign up before continuing."}} otherwise, or after {@link #revokeToken()}), and the sandbox's account id
 *       (401 otherwise);</li>
 *   <li>passes rack-attack's per-IP throttle (default 3000 a minute): over it, {@code 429 text/plain "Retry later"}
 *       with no {@code Retry-After}, as rack-attack answers by default;</li>
 *   <li>then the {@link FaultInjector}'s rules and the routes.</li>
 * </ol>
 * Routes: {@code GET /contacts?page=N&sort=} (15 a page, {@code {meta: {count, current_page}, payload}}; sorts
 * {@code created_at}, {@code -created_at}, {@code last_activity_at}, {@code -last_activity_at} with nulls last,
 * {@code name}), {@code GET/PUT /contacts/{id}}, {@code POST /contacts}; {@code GET /conversations?status=&page=}
 * ({@code status} defaults to {@code open}; 25 a page, newest activity first, {@code {data: {meta, payload}}}),
 * {@code GET /conversations/{id}}; {@code GET /conversations/{id}/messages?before=} (20 a page, ascending ids),
 * {@code POST /conversations/{id}/messages}; {@code GET /agents} (an array); {@code GET /inboxes}
 * ({@code {payload}}); {@code GET/POST /webhooks}, {@code DELETE /webhooks/{id}}.
 *
 * <p>Webhooks: every mutation (API or helper) delivers the matching event to each subscribed webhook, a flat
 * payload ({@code webhook_data} plus {@code event}), signed {@code X-Chatwoot-Signature: sha256=<hex HMAC-SHA256(
 * secret, "{timestamp}.{body}")>} with {@code X-Chatwoot-Timestamp} and {@code X-Chatwoot-Delivery} — unless built
 * {@link Builder#withOldInstallation old}, when webhooks have no secret and deliveries are unsigned (before
 * v4.11.2). Chatwoot has no delete events: {@link #deleteContact} sends nothing.
 *
 * <p>Seeded and deterministic: 5 agents, 3 inboxes, contacts, conversations (each with a few messages, incoming and
 * outgoing, some resolved). Thread-safe.
 */
public final class ChatwootSandbox implements ControllableSandbox {

    public static final String PROVIDER_ID = "chatwoot";
    public static final String DEFAULT_TOKEN = "sandbox-user-access-token";
    public static final long ACCOUNT_ID = 1;
    public static final int CONTACTS_PER_PAGE = 15;
    public static final int CONVERSATIONS_PER_PAGE = 25;
    public static final int MESSAGES_PER_PAGE = 20;
    static final String PREFIX = "/api/v1/accounts/{account}";

    private final SandboxServer server;
    private final FixedWindowRateLimiter rateLimiter;
    private final WebhookDispatcher dispatcher;
    private final Clock clock;
    private final String token;
    private final boolean oldInstallation;
    private volatile boolean revoked;
    private final Object lock = new Object();
    private final TreeMap<Long, ObjectNode> agents = new TreeMap<>();
    private final TreeMap<Long, ObjectNode> inboxes = new TreeMap<>();
    private final TreeMap<Long, ObjectNode> contacts = new TreeMap<>();
    private final TreeMap<Long, ObjectNode> conversations = new TreeMap<>();
    private final TreeMap<Long, ObjectNode> messages = new TreeMap<>();
    private final TreeMap<Long, ObjectNode> webhooks = new TreeMap<>();
    private long nextContact;
    private long nextConversation;
    private long nextMessage;
    private long nextWebhook = 1;

    private ChatwootSandbox(Builder builder) {
        this.clock = builder.clock();
        this.token = builder.token;
        this.oldInstallation = builder.oldInstallation;
        this.rateLimiter = new FixedWindowRateLimiter(builder.rateLimit(), builder.rateWindow(), clock);
        this.dispatcher = new WebhookDispatcher(clock, Duration.ofSeconds(5));
        this.server = SandboxServer.builder().withPort(builder.port()).withClock(clock).build();
        seed(builder);
        server.filter("/api/v1/**", this::filter);
        routes();
        server.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---- filter and routes ----------------------------------------------------------------------------------

    private SandboxResponse filter(SandboxRequest request, RouteHandler next) {
        if (revoked || !request.header("api_access_token").filter(token::equals).isPresent()) {
            return SandboxResponse.json(401, Map.of("error", "You need to sign in or sign up before continuing."));
        }
        if (!request.path().startsWith("/api/v1/accounts/" + ACCOUNT_ID + "/") && !request.path().equals("/api/v1/accounts/" + ACCOUNT_ID)) {
            return SandboxResponse.json(401, Map.of("error", "You are not authorized to access this account"));
        }
        if (!rateLimiter.acquire("127.0.0.1").allowed()) {
            return SandboxResponse.bytes(429, "text/plain", "Retry later\n".getBytes(StandardCharsets.UTF_8));
        }
        return next.handle(request);
    }

    private void routes() {
        server.route("GET", PREFIX + "/contacts", this::listContacts);
        server.route("POST", PREFIX + "/contacts", this::postContact);
        server.route("GET", PREFIX + "/contacts/{id}", request -> withId(request, contacts,
                contact -> SandboxResponse.json(200, SandboxJson.object().set("payload", contact))));
        server.route("PUT", PREFIX + "/contacts/{id}", this::putContact);
        server.route("GET", PREFIX + "/conversations", this::listConversations);
        server.route("GET", PREFIX + "/conversations/{id}", request -> withId(request, conversations,
                conversation -> SandboxResponse.json(200, conversationJson(conversation))));
        server.route("GET", PREFIX + "/conversations/{id}/messages", this::listMessages);
        server.route("POST", PREFIX + "/conversations/{id}/messages", this::postMessage);
        server.route("GET", PREFIX + "/agents", request -> {
            synchronized (lock) {
                ArrayNode array = SandboxJson.array();
                agents.values().forEach(agent -> array.add(agent.deepCopy()));
                return SandboxResponse.json(200, array);
            }
        });
        server.route("GET", PREFIX + "/inboxes", request -> {
            synchronized (lock) {
                ArrayNode array = SandboxJson.array();
                inboxes.values().forEach(inbox -> array.add(inbox.deepCopy()));
                return SandboxResponse.json(200, SandboxJson.object().set("payload", array));
            }
        });
        server.route("GET", PREFIX + "/webhooks", request -> {
            synchronized (lock) {
                ArrayNode array = SandboxJson.array();
                webhooks.values().forEach(webhook -> array.add(webhook.deepCopy()));
                ObjectNode payload = SandboxJson.object();
                payload.set("webhooks", array);
                return SandboxResponse.json(200, SandboxJson.object().set("payload", payload));
            }
        });
        server.route("POST", PREFIX + "/webhooks", this::postWebhook);
        server.route("DELETE", PREFIX + "/webhooks/{id}", request -> {
            synchronized (lock) {
                Long id = parseId(request.pathParameter("id"));
                return id != null && webhooks.remove(id) != null ? SandboxResponse.empty(200) : notFound();
            }
        });
    }

    private SandboxResponse listContacts(SandboxRequest request) {
        int page = pageParameter(request);
        String sort = request.queryParameter("sort").orElse("name");
        Comparator<ObjectNode> order = switch (sort) {
            case "created_at" -> Comparator.comparingLong(contact -> contact.path("created_at").asLong());
            case "-created_at" -> Comparator.<ObjectNode>comparingLong(contact -> contact.path("created_at").asLong()).reversed();
            case "last_activity_at", "-last_activity_at" -> activityOrder(sort.startsWith("-"));
            default -> Comparator.comparing(contact -> contact.path("name").asText(""));
        };
        synchronized (lock) {
            // Chatwoot lists only "resolved" contacts: with an e-mail, phone number or identifier.
            List<ObjectNode> sorted = contacts.values().stream()
                    .filter(contact -> contact.hasNonNull("email") || contact.hasNonNull("phone_number") || contact.hasNonNull("identifier"))
                    .sorted(order.thenComparingLong(contact -> contact.path("id").asLong())).toList();
            ArrayNode payload = SandboxJson.array();
            sorted.stream().skip((long) (page - 1) * CONTACTS_PER_PAGE).limit(CONTACTS_PER_PAGE).forEach(contact -> payload.add(contact.deepCopy()));
            ObjectNode body = SandboxJson.object();
            body.putObject("meta").put("count", sorted.size()).put("current_page", page);
            body.set("payload", payload);
            return SandboxResponse.json(200, body);
        }
    }

    private static Comparator<ObjectNode> activityOrder(boolean descending) {
        return (a, b) -> {
            JsonNode x = a.get("last_activity_at");
            JsonNode y = b.get("last_activity_at");
            boolean xNull = x == null || x.isNull();
            boolean yNull = y == null || y.isNull();
            if (xNull || yNull) {
                return Boolean.compare(xNull, yNull); // NULLS LAST either way
            }
            int compared = Long.compare(x.asLong(), y.asLong());
            return descending ? -compared : compared;
        };
    }

    private SandboxResponse postContact(SandboxRequest request) {
        JsonNode body = request.bodyAsJson();
        if (!body.path("name").isTextual() && !body.path("email").isTextual() && !body.path("phone_number").isTextual()) {
            return SandboxResponse.json(422, Map.of("message", "Name, email or phone number is required"));
        }
        ObjectNode contact;
        synchronized (lock) {
            if (body.path("email").isTextual() && contacts.values().stream().anyMatch(c -> body.path("email").asText().equals(c.path("email").asText()))) {
                return SandboxResponse.json(422, Map.of("message", "Email has already been taken"));
            }
            contact = newContact(body.path("name").asText(null), body.path("email").asText(null));
            copyContactFields(body, contact);
        }
        fire("contact_created", contact);
        ObjectNode payload = SandboxJson.object();
        payload.set("contact", contact.deepCopy());
        payload.putObject("contact_inbox").put("inbox_id", body.path("inbox_id").asLong(1)).put("source_id", UUID.randomUUID().toString());
        return SandboxResponse.json(200, SandboxJson.object().set("payload", payload));
    }

    private SandboxResponse putContact(SandboxRequest request) {
        Long id = parseId(request.pathParameter("id"));
        JsonNode body = request.bodyAsJson();
        ObjectNode contact;
        synchronized (lock) {
            contact = id == null ? null : contacts.get(id);
            if (contact == null) {
                return notFound();
            }
            copyContactFields(body, contact);
            contact = contact.deepCopy();
        }
        fire("contact_updated", contact);
        return SandboxResponse.json(200, SandboxJson.object().set("payload", contact));
    }

    private static void copyContactFields(JsonNode body, ObjectNode contact) {
        for (String field : List.of("name", "email", "phone_number", "identifier")) {
            if (body.has(field)) {
                contact.set(field, body.get(field));
            }
        }
    }

    private SandboxResponse listConversations(SandboxRequest request) {
        int page = pageParameter(request);
        String status = request.queryParameter("status").orElse("open");
        synchronized (lock) {
            List<ObjectNode> all = conversations.values().stream()
                    .filter(conversation -> status.equals("all") || status.equals(conversation.path("status").asText()))
                    .sorted(Comparator.<ObjectNode>comparingLong(c -> c.path("last_activity_at").asLong()).reversed()
                            .thenComparing(Comparator.<ObjectNode>comparingLong(c -> c.path("id").asLong()).reversed()))
                    .toList();
            ArrayNode payload = SandboxJson.array();
            all.stream().skip((long) (page - 1) * CONVERSATIONS_PER_PAGE).limit(CONVERSATIONS_PER_PAGE)
                    .forEach(conversation -> payload.add(conversationJson(conversation)));
            ObjectNode data = SandboxJson.object();
            long assigned = all.stream().filter(c -> c.path("meta").path("assignee").isObject()).count();
            data.putObject("meta").put("mine_count", 0).put("assigned_count", assigned)
                    .put("unassigned_count", all.size() - assigned).put("all_count", all.size());
            data.set("payload", payload);
            return SandboxResponse.json(200, SandboxJson.object().set("data", data));
        }
    }

    private SandboxResponse listMessages(SandboxRequest request) {
        Long conversation = parseId(request.pathParameter("id"));
        Long before = request.queryParameter("before").map(ChatwootSandbox::parseId).orElse(null);
        synchronized (lock) {
            if (conversation == null || !conversations.containsKey(conversation)) {
                return notFound();
            }
            List<ObjectNode> selected = messages.values().stream()
                    .filter(message -> message.path("conversation_id").asLong() == conversation)
                    .filter(message -> before == null || message.path("id").asLong() < before)
                    .sorted(Comparator.<ObjectNode>comparingLong(message -> message.path("id").asLong()).reversed())
                    .limit(MESSAGES_PER_PAGE).toList();
            ArrayNode payload = SandboxJson.array();
            for (int i = selected.size() - 1; i >= 0; i--) {
                payload.add(selected.get(i).deepCopy());
            }
            ObjectNode body = SandboxJson.object();
            ObjectNode meta = body.putObject("meta");
            meta.set("labels", conversations.get(conversation).path("labels").deepCopy());
            meta.set("contact", conversations.get(conversation).path("meta").path("sender").deepCopy());
            body.set("payload", payload);
            return SandboxResponse.json(200, body);
        }
    }

    private SandboxResponse postMessage(SandboxRequest request) {
        Long conversation = parseId(request.pathParameter("id"));
        JsonNode body = request.bodyAsJson();
        if (!body.path("content").isTextual() || body.path("content").asText().isBlank()) {
            return SandboxResponse.json(422, Map.of("message", "Content can't be blank"));
        }
        int type = "incoming".equals(body.path("message_type").asText()) ? 0 : 1;
        synchronized (lock) {
            if (conversation == null || !conversations.containsKey(conversation)) {
                return notFound();
            }
        }
        ObjectNode message = addMessage(conversation, type, body.path("content").asText(), body.path("private").asBoolean(false),
                type == 1 ? agents.firstKey() : null);
        return SandboxResponse.json(200, message);
    }

    private SandboxResponse postWebhook(SandboxRequest request) {
        JsonNode body = request.bodyAsJson();
        JsonNode webhookBody = body.has("webhook") ? body.get("webhook") : body;
        String url = webhookBody.path("url").asText("");
        try {
            URI uri = URI.create(url);
            if (uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            return SandboxResponse.json(422, Map.of("message", "Url is invalid"));
        }
        ObjectNode webhook;
        synchronized (lock) {
            if (webhooks.values().stream().anyMatch(existing -> existing.path("url").asText().equals(url))) {
                return SandboxResponse.json(422, Map.of("message", "Url has already been taken"));
            }
            long id = nextWebhook++;
            webhook = SandboxJson.object().put("id", id).put("url", url).put("account_id", ACCOUNT_ID);
            webhook.set("subscriptions", webhookBody.path("subscriptions").isArray() ? webhookBody.get("subscriptions").deepCopy() : SandboxJson.array());
            if (!oldInstallation) {
                webhook.put("secret", HexFormat.of().formatHex(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8), 0, 16));
            }
            webhooks.put(id, webhook);
        }
        ObjectNode payload = SandboxJson.object();
        payload.set("webhook", webhook.deepCopy());
        return SandboxResponse.json(200, SandboxJson.object().set("payload", payload));
    }

    // ---- webhooks out ---------------------------------------------------------------------------------------

    private void fire(String event, ObjectNode data) {
        ObjectNode payload = data.deepCopy();
        payload.put("event", event);
        byte[] body = SandboxJson.toBytes(payload);
        List<ObjectNode> targets;
        synchronized (lock) {
            targets = webhooks.values().stream().filter(webhook -> {
                for (JsonNode subscription : webhook.path("subscriptions")) {
                    if (subscription.asText().equals(event)) {
                        return true;
                    }
                }
                return false;
            }).map(ObjectNode::deepCopy).toList();
        }
        for (ObjectNode webhook : targets) {
            String secret = webhook.path("secret").asText("");
            WebhookSigner signer = secret.isEmpty() ? WebhookSigner.none() : bytes -> signatureHeaders(secret, bytes, clock.instant());
            dispatcher.send(URI.create(webhook.path("url").asText()), Map.of("X-Chatwoot-Delivery", UUID.randomUUID().toString()),
                    body, signer);
        }
    }

    /** The headers Chatwoot (≥ v4.11.2) signs a delivery with. Public so tests can sign payloads the same way. */
    public static Map<String, String> signatureHeaders(String secret, byte[] body, Instant now) {
        String timestamp = Long.toString(now.getEpochSecond());
        byte[] message = new byte[timestamp.length() + 1 + body.length];
        byte[] prefix = (timestamp + ".").getBytes(StandardCharsets.UTF_8);
        System.arraycopy(prefix, 0, message, 0, prefix.length);
        System.arraycopy(body, 0, message, prefix.length, body.length);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Chatwoot-Signature", "sha256=" + WebhookSigner.hmacSha256Hex(secret.getBytes(StandardCharsets.UTF_8), message));
        headers.put("X-Chatwoot-Timestamp", timestamp);
        return headers;
    }

    /** How many webhooks are registered now. */
    public int webhookCount() {
        synchronized (lock) {
            return webhooks.size();
        }
    }

    /** Waits until queued webhook deliveries are done; true if they finished in time. */
    public boolean awaitWebhooks(Duration maximumWait) {
        return dispatcher.awaitIdle(maximumWait);
    }

    public List<WebhookDelivery> webhookDeliveries() {
        return dispatcher.deliveries();
    }

    // ---- data -----------------------------------------------------------------------------------------------

    private void seed(Builder builder) {
        Random random = new Random(builder.seed());
        Instant now = clock.instant();
        String[] names = {"Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Tony"};
        String[] roles = {"administrator", "agent", "agent", "agent", "agent"};
        for (long id = 1; id <= 5; id++) {
            ObjectNode agent = SandboxJson.object().put("id", id).put("account_id", ACCOUNT_ID)
                    .put("availability_status", id % 2 == 0 ? "online" : "offline").put("auto_offline", true).put("confirmed", true)
                    .put("email", names[(int) id].toLowerCase() + "@support.example.com").put("available_name", names[(int) id])
                    .put("name", names[(int) id] + " Agent").put("role", roles[(int) id - 1]).put("thumbnail", "");
            agents.put(id, agent);
        }
        String[] channels = {"Channel::WebWidget", "Channel::Email", "Channel::Api"};
        for (long id = 1; id <= 3; id++) {
            inboxes.put(id, SandboxJson.object().put("id", id).put("name", "Inbox " + id).put("channel_type", channels[(int) id - 1])
                    .put("greeting_enabled", false).put("enable_auto_assignment", true));
        }
        nextContact = 1;
        for (int i = 0; i < builder.contacts; i++) {
            ObjectNode contact = newContact(names[random.nextInt(names.length)] + " " + (i + 1), "customer" + (i + 1) + "@example.com");
            long created = now.minus(Duration.ofDays(30)).getEpochSecond() + i * 60L;
            contact.put("created_at", created);
            contact.put("last_activity_at", created + random.nextInt(86_400 * 20));
        }
        nextConversation = 1;
        nextMessage = 1;
        List<Long> contactIds = new ArrayList<>(contacts.keySet());
        for (int i = 0; i < builder.conversations && !contactIds.isEmpty(); i++) {
            long contactId = contactIds.get(i % contactIds.size());
            long inbox = 1 + (i % 3);
            Long assignee = i % 4 == 3 ? null : 1 + (long) (i % 5);
            long created = now.minus(Duration.ofDays(10)).getEpochSecond() + i * 3_600L;
            ObjectNode conversation = newConversation(contactId, inbox, assignee, created);
            long at = created;
            int count = 2 + random.nextInt(4);
            for (int m = 0; m < count; m++) {
                at += 60 + random.nextInt(1_800);
                int type = m % 2 == 0 ? 0 : 1;
                seedMessage(conversation, type, type == 0 ? "Question " + (m / 2 + 1) : "Answer " + (m / 2 + 1), false,
                        type == 1 ? assignee == null ? 1L : assignee : null, at);
            }
            conversation.put("last_activity_at", at).put("timestamp", at);
            if (i % 3 == 0) {
                conversation.put("status", "resolved");
            }
        }
    }

    private ObjectNode newContact(String name, String email) {
        long id = nextContact++;
        long now = clock.instant().getEpochSecond();
        ObjectNode contact = SandboxJson.object().put("id", id).put("name", name).put("email", email);
        contact.putNull("phone_number");
        contact.putNull("identifier");
        contact.put("thumbnail", "").put("availability_status", "offline");
        contact.putObject("additional_attributes");
        contact.putObject("custom_attributes");
        contact.put("created_at", now);
        contact.putNull("last_activity_at");
        contacts.put(id, contact);
        return contact;
    }

    private ObjectNode newConversation(long contactId, long inbox, Long assignee, long createdAt) {
        long id = nextConversation++;
        ObjectNode conversation = SandboxJson.object().put("id", id).put("account_id", ACCOUNT_ID).put("inbox_id", inbox)
                .put("status", "open").put("unread_count", 0).put("agent_last_seen_at", 0).put("contact_last_seen_at", 0)
                .put("created_at", createdAt).put("timestamp", createdAt).put("last_activity_at", createdAt);
        conversation.putArray("labels");
        ObjectNode meta = conversation.putObject("meta");
        ObjectNode contact = contacts.get(contactId);
        meta.putObject("sender").put("id", contactId).put("name", contact.path("name").asText()).put("type", "contact");
        if (assignee != null) {
            meta.putObject("assignee").put("id", assignee).put("name", agents.get(assignee).path("name").asText()).put("type", "user");
        } else {
            meta.putNull("assignee");
        }
        meta.put("channel", "Channel::WebWidget");
        conversation.putObject("contact_inbox").put("contact_id", contactId).put("inbox_id", inbox);
        conversations.put(id, conversation);
        return conversation;
    }

    private ObjectNode seedMessage(ObjectNode conversation, int type, String content, boolean isPrivate, Long agent, long at) {
        long id = nextMessage++;
        ObjectNode message = SandboxJson.object().put("id", id).put("content", content).put("account_id", ACCOUNT_ID)
                .put("inbox_id", conversation.path("inbox_id").asLong()).put("conversation_id", conversation.path("id").asLong())
                .put("message_type", type).put("created_at", at).put("updated_at", Instant.ofEpochSecond(at).toString())
                .put("private", isPrivate).put("status", "sent").put("content_type", "text");
        message.putNull("source_id");
        message.putObject("content_attributes");
        if (type == 0) {
            long contactId = conversation.path("meta").path("sender").path("id").asLong();
            message.put("sender_type", "Contact").put("sender_id", contactId);
            message.putObject("sender").put("id", contactId).put("name", contacts.get(contactId).path("name").asText()).put("type", "contact");
        } else if (agent != null) {
            message.put("sender_type", "User").put("sender_id", agent);
            message.putObject("sender").put("id", agent).put("name", agents.get(agent).path("name").asText()).put("type", "user");
        }
        messages.put(id, message);
        return message;
    }

    /** The conversation as the REST API shows it: the stored fields plus its latest message. */
    private ObjectNode conversationJson(ObjectNode conversation) {
        ObjectNode copy = conversation.deepCopy();
        ArrayNode last = copy.putArray("messages");
        messages.descendingMap().values().stream()
                .filter(message -> message.path("conversation_id").asLong() == conversation.path("id").asLong())
                .findFirst().ifPresent(message -> last.add(message.deepCopy()));
        return copy;
    }

    /** The webhook shape of a message: {@code message_type} as a string, ISO {@code created_at}, nested objects. */
    private ObjectNode messageWebhookData(ObjectNode message) {
        ObjectNode data = message.deepCopy();
        data.put("message_type", List.of("incoming", "outgoing", "activity", "template").get(message.path("message_type").asInt()));
        data.put("created_at", Instant.ofEpochSecond(message.path("created_at").asLong()).toString());
        data.remove(List.of("account_id", "inbox_id", "conversation_id", "sender_type", "sender_id", "updated_at", "status"));
        ObjectNode conversation = conversations.get(message.path("conversation_id").asLong());
        data.set("conversation", conversationJson(conversation));
        ObjectNode inbox = inboxes.get(conversation.path("inbox_id").asLong());
        data.putObject("inbox").put("id", inbox.path("id").asLong()).put("name", inbox.path("name").asText());
        data.putObject("account").put("id", ACCOUNT_ID).put("name", "Sandbox Inc");
        return data;
    }

    // ---- access and mutation helpers ----------------------------------------------------------------------

    @Override
    public String providerId() {
        return PROVIDER_ID;
    }

    /** The installation URL, {@code http://127.0.0.1:port}: the provider's {@code base_url} setting. */
    @Override
    public String baseUrl() {
        return server.baseUrl();
    }

    public String apiAccessToken() {
        return token;
    }

    public long accountId() {
        return ACCOUNT_ID;
    }

    @Override
    public Map<String, String> connectionProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("base_url", baseUrl());
        properties.put("account_id", Long.toString(ACCOUNT_ID));
        properties.put("api_access_token", token);
        return properties;
    }

    /** Every request with the token fails with 401 from now on, as when the user resets their access token. */
    public void revokeToken() {
        revoked = true;
    }

    public RequestLog requestLog() {
        return server.requestLog();
    }

    public FaultInjector faults() {
        return server.faults();
    }

    public RateLimitStatistics rateLimitStatistics() {
        return rateLimiter.statistics();
    }

    public Clock clock() {
        return clock;
    }

    /** Live ids of {@code contacts}, {@code conversations}, {@code messages}, {@code agents} or {@code inboxes}. */
    /** Every entity's live record count. */
    @Override
    public Map<String, Long> recordCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String entity : List.of("inboxes", "agents", "contacts", "conversations", "messages")) {
            counts.put(entity, (long) liveIds(entity).size());
        }
        return counts;
    }

    public Set<Long> liveIds(String entity) {
        synchronized (lock) {
            return Set.copyOf(map(entity).keySet());
        }
    }

    public Optional<ObjectNode> record(String entity, long id) {
        synchronized (lock) {
            return Optional.ofNullable(map(entity).get(id)).map(ObjectNode::deepCopy);
        }
    }

    /** Creates a contact (no activity yet, as through the API) and sends {@code contact_created}; returns its id. */
    public long createContact(String name, String email) {
        ObjectNode contact;
        synchronized (lock) {
            contact = newContact(name, email).deepCopy();
        }
        fire("contact_created", contact);
        return contact.path("id").asLong();
    }

    /** Sets fields of a contact and sends {@code contact_updated}; false when there is no such contact. */
    public boolean updateContact(long id, ObjectNode fields) {
        ObjectNode contact;
        synchronized (lock) {
            contact = contacts.get(id);
            if (contact == null) {
                return false;
            }
            contact.setAll(fields.deepCopy());
            contact = contact.deepCopy();
        }
        fire("contact_updated", contact);
        return true;
    }

    /** Records activity of a contact now ({@code last_activity_at}), as a contact writing in does; no webhook. */
    public boolean touchContact(long id) {
        synchronized (lock) {
            ObjectNode contact = contacts.get(id);
            if (contact == null) {
                return false;
            }
            contact.put("last_activity_at", clock.instant().getEpochSecond());
            return true;
        }
    }

    /** Deletes a contact. Chatwoot sends no webhook for it. */
    public boolean deleteContact(long id) {
        synchronized (lock) {
            return contacts.remove(id) != null;
        }
    }

    /** Makes a record unreadable (its {@code name}, or a message's {@code content}, becomes an object). */
    public boolean corrupt(String entity, long id) {
        synchronized (lock) {
            ObjectNode record = map(entity).get(id);
            if (record == null) {
                return false;
            }
            switch (entity) {
                case "messages" -> record.set("message_type", SandboxJson.object().put("unexpected", true));
                case "conversations" -> record.set("status", SandboxJson.object().put("unexpected", true));
                default -> record.set("name", SandboxJson.object().put("unexpected", true));
            }
            return true;
        }
    }

    /** Opens a conversation of a contact in an inbox now, optionally assigned; sends {@code conversation_created}. */
    public long createConversation(long contactId, long inboxId, Long assigneeId) {
        ObjectNode data;
        synchronized (lock) {
            if (!contacts.containsKey(contactId) || !inboxes.containsKey(inboxId) || (assigneeId != null && !agents.containsKey(assigneeId))) {
                throw new IllegalArgumentException("no such contact, inbox or agent");
            }
            data = conversationJson(newConversation(contactId, inboxId, assigneeId, clock.instant().getEpochSecond()));
        }
        fire("conversation_created", data);
        return data.path("id").asLong();
    }

    /** Adds a message to a conversation now and sends {@code message_created}; returns it as the REST API shows it. */
    public ObjectNode addMessage(long conversationId, int messageType, String content, boolean isPrivate, Long agentId) {
        ObjectNode message;
        ObjectNode webhookData;
        synchronized (lock) {
            ObjectNode conversation = conversations.get(conversationId);
            if (conversation == null) {
                throw new IllegalArgumentException("no conversation " + conversationId);
            }
            long now = clock.instant().getEpochSecond();
            message = seedMessage(conversation, messageType, content, isPrivate, agentId, now).deepCopy();
            conversation.put("last_activity_at", now).put("timestamp", now);
            webhookData = messageWebhookData(message);
        }
        fire("message_created", webhookData);
        return message;
    }

    /** Changes a conversation's status and sends {@code conversation_status_changed}. */
    public boolean setConversationStatus(long conversationId, String status) {
        ObjectNode data;
        synchronized (lock) {
            ObjectNode conversation = conversations.get(conversationId);
            if (conversation == null) {
                return false;
            }
            conversation.put("status", status).put("last_activity_at", clock.instant().getEpochSecond());
            data = conversationJson(conversation);
        }
        fire("conversation_status_changed", data);
        return true;
    }

    private TreeMap<Long, ObjectNode> map(String entity) {
        return switch (entity) {
            case "contacts" -> contacts;
            case "conversations" -> conversations;
            case "messages" -> messages;
            case "agents" -> agents;
            case "inboxes" -> inboxes;
            default -> throw new IllegalArgumentException("no sandbox entity " + entity);
        };
    }

    private static SandboxResponse withId(SandboxRequest request, TreeMap<Long, ObjectNode> records,
            java.util.function.Function<ObjectNode, SandboxResponse> found) {
        Long id = parseId(request.pathParameter("id"));
        ObjectNode record = id == null ? null : records.get(id);
        return record == null ? notFound() : found.apply(record.deepCopy());
    }

    private static SandboxResponse notFound() {
        return SandboxResponse.json(404, Map.of("error", "Resource could not be found"));
    }

    private static int pageParameter(SandboxRequest request) {
        try {
            return Math.max(1, Integer.parseInt(request.queryParameter("page").orElse("1")));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private static Long parseId(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public void close() {
        dispatcher.close();
        server.close();
    }

    /** Configures a sandbox. Not thread-safe. */
    public static final class Builder extends dev.junction.sandbox.SandboxBuilder<Builder> {
        private int contacts = 50;
        private int conversations = 30;
        private String token = DEFAULT_TOKEN;
        private boolean oldInstallation;

        private Builder() {
            super(3000, Duration.ofMinutes(1));
        }

        public Builder withContacts(int value) {
            this.contacts = value;
            return this;
        }

        /** Conversations, each of a seeded contact (round robin) with 2-5 messages. */
        public Builder withConversations(int value) {
            this.conversations = value;
            return this;
        }

        public Builder withApiAccessToken(String value) {
            this.token = Objects.requireNonNull(value, "token");
            return this;
        }

        /** An installation older than v4.11.2: webhooks get no secret and deliveries are unsigned. */
        public Builder withOldInstallation(boolean value) {
            this.oldInstallation = value;
            return this;
        }

        public ChatwootSandbox start() {
            return new ChatwootSandbox(this);
        }
    }
}
