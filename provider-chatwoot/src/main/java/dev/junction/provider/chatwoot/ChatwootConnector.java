package dev.junction.provider.chatwoot;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.http.HttpCall;
import dev.junction.core.http.ProviderHttpClient;
import dev.junction.core.spi.Connector;
import dev.junction.core.spi.ConnectorContext;
import dev.junction.core.spi.EntityType;
import dev.junction.core.spi.FetchRequest;
import dev.junction.core.spi.Page;
import dev.junction.core.spi.RemoteRecord;
import dev.junction.core.spi.WebhookSubscriptions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads Chatwoot for one connection.
 * <ul>
 *   <li>{@code contacts}: {@code GET /contacts?page=N} (15 a page, {@code {meta, payload}}); full passes sort by
 *       {@code created_at} (stable while people write in), incremental ones by {@code -last_activity_at};</li>
 *   <li>{@code conversations}: {@code GET /conversations?status=all&page=N} ({@code {data: {meta, payload}}}; the
 *       default {@code status=open} would hide the rest), newest activity first;</li>
 *   <li>{@code messages}: per page of conversations, each conversation's messages newest first with
 *       {@code before=<oldest id seen>} until an empty page;</li>
 *   <li>{@code agents} ({@code GET /agents}, an array) and {@code inboxes} ({@code {payload}}), one request each.</li>
 * </ul>
 * Pages carry no totals, so paging ends at an empty {@code payload}. The cursor is the next page number. An
 * incremental pass ends at the first record whose {@code last_activity_at} is before {@code since}. Used by one
 * thread at a time.
 */
final class ChatwootConnector implements Connector {

    /** Messages per page of {@code GET /conversations/{id}/messages} ([CW-SRC] app/finders/message_finder.rb). */
    static final int MESSAGES_PER_PAGE = 20;

    private final ConnectorContext context;

    private final ProviderHttpClient http;

    ChatwootConnector(ConnectorContext context) {
        this.context = context;
        this.http = httpClient(context);
    }

    /** A client on {@code <base_url>/api/v1/accounts/<id>} that sends {@code api_access_token}; settings checked first. */
    static ProviderHttpClient httpClient(ConnectorContext context) {
        String baseUrl = ChatwootProvider.apiBaseUrl(context.connectionSettings());
        String token = context.connectionSettings().get(ChatwootProvider.API_ACCESS_TOKEN).orElseThrow(() ->
                new JunctionException(ErrorKind.INVALID_INPUT, "setting 'api_access_token' is required",
                        ErrorContext.provider(ChatwootProvider.ID)));
        return context.http(baseUrl, (prepared, credentials) -> prepared
                .withAuthenticator(() -> Map.of("api_access_token", token))
                .withDefaultHeader("Accept", "application/json"));
    }

    @Override
    public String providerId() {
        return ChatwootProvider.ID;
    }

    @Override
    public Page fetch(FetchRequest request) {
        ChatwootEntity entity = entity(request.entity());
        int page = pageNumber(request.cursor());
        return switch (entity) {
            case INBOXES -> whole(entity, items(http.executeJson(call("inboxes", entity)), "/payload", entity));
            case AGENTS -> whole(entity, items(http.executeJson(call("agents", entity)), "", entity));
            case CONTACTS -> listPage(entity, call("contacts", entity).withQuery("page", Integer.toString(page))
                    .withQuery("sort", request.incremental() ? "-last_activity_at" : "created_at"), "/payload", page, request);
            case CONVERSATIONS -> listPage(entity, conversations(page), "/data/payload", page, request);
            case MESSAGES -> messages(page);
        };
    }

    @Override
    public Optional<RemoteRecord> fetchOne(EntityType type, String externalId) {
        ChatwootEntity entity = entity(type);
        if (!externalId.matches("[0-9]{1,18}")) {
            throw new JunctionException(ErrorKind.INVALID_INPUT, "not a Chatwoot id: " + externalId, context(entity));
        }
        JsonNode body;
        try {
            switch (entity) {
                case CONTACTS -> body = http.executeJson(call("contacts/" + externalId, entity)).path("payload");
                case CONVERSATIONS -> body = http.executeJson(call("conversations/" + externalId, entity));
                default -> throw new JunctionException(ErrorKind.UNSUPPORTED, "Chatwoot cannot fetch one " + entity.path(),
                        context(entity));
            }
        } catch (JunctionException e) {
            if (e.kind() == ErrorKind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
        if (!body.isObject() || !body.hasNonNull("id")) {
            throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "Chatwoot returned no " + entity.path() + " object", context(entity));
        }
        return Optional.of(record(entity, body));
    }

    @Override
    public WebhookSubscriptions webhooks() {
        return new ChatwootWebhookSubscriptions(http, ChatwootProvider.acceptUnsigned(context.connectionSettings()));
    }

    private HttpCall conversations(int page) {
        return call("conversations", ChatwootEntity.CONVERSATIONS).withQuery("status", "all").withQuery("page", Integer.toString(page));
    }

    private Page listPage(ChatwootEntity entity, HttpCall call, String pointer, int page, FetchRequest request) {
        JsonNode items = items(http.executeJson(call), pointer, entity);
        if (items.isEmpty()) {
            return Page.last(List.of());
        }
        List<RemoteRecord> records = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        boolean pastWindow = false;
        for (JsonNode item : items) {
            if (request.since().isPresent()) {
                Instant activity = ChatwootTransformer.instantOrNull(item.get("last_activity_at"));
                if (activity == null || activity.isBefore(request.since().get().truncatedTo(java.time.temporal.ChronoUnit.SECONDS))) {
                    pastWindow = true; // sorted by last activity, newest first: the rest is older still
                    break;
                }
            }
            add(entity, item, records, unreadable);
        }
        Optional<String> next = pastWindow ? Optional.empty() : Optional.of(Integer.toString(page + 1));
        return new Page(records, next, unreadable);
    }

    /** One page of conversations, and every message of each. */
    private Page messages(int page) {
        JsonNode conversations = items(http.executeJson(conversations(page)), "/data/payload", ChatwootEntity.CONVERSATIONS);
        if (conversations.isEmpty()) {
            return Page.last(List.of());
        }
        List<RemoteRecord> records = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        for (JsonNode conversation : conversations) {
            JsonNode id = conversation.get("id");
            if (id == null || !id.canConvertToLong()) {
                continue; // the conversations pass dead-letters it
            }
            Long before = null;
            while (true) {
                HttpCall call = call("conversations/" + id.asLong() + "/messages", ChatwootEntity.MESSAGES);
                if (before != null) {
                    call = call.withQuery("before", Long.toString(before));
                }
                JsonNode items = items(http.executeJson(call), "/payload", ChatwootEntity.MESSAGES);
                Long oldest = null;
                for (JsonNode item : items) {
                    add(ChatwootEntity.MESSAGES, item, records, unreadable);
                    JsonNode messageId = item.get("id");
                    if (messageId != null && messageId.canConvertToLong() && (oldest == null || messageId.asLong() < oldest)) {
                        oldest = messageId.asLong();
                    }
                }
                // Chatwoot returns 20 a page (MessageFinder); a shorter page is the oldest one, saving the empty request.
                if (oldest == null || (before != null && oldest >= before) || items.size() < MESSAGES_PER_PAGE) {
                    break;
                }
                before = oldest;
            }
        }
        return new Page(records, Optional.of(Integer.toString(page + 1)), unreadable);
    }

    private static void add(ChatwootEntity entity, JsonNode item, List<RemoteRecord> records, List<String> unreadable) {
        JsonNode id = item.get("id");
        if (id == null || !(id.isIntegralNumber() || id.isTextual()) || id.asText().isBlank()) {
            unreadable.add(item.toString());
        } else {
            records.add(record(entity, item));
        }
    }

    /** A list Chatwoot returns whole, in one response. */
    private static Page whole(ChatwootEntity entity, JsonNode items) {
        List<RemoteRecord> records = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        items.forEach(item -> add(entity, item, records, unreadable));
        return new Page(records, Optional.empty(), unreadable);
    }

    static RemoteRecord record(ChatwootEntity entity, JsonNode item) {
        Instant updated = null;
        try {
            updated = ChatwootTransformer.instantOrNull(item.has("updated_at") ? item.get("updated_at") : item.get("last_activity_at"));
        } catch (JunctionException e) {
            // The transformer reports the bad field; the record still lands in the dead letters with its id.
        }
        return RemoteRecord.of(entity.path(), item.get("id").asText(), updated, item);
    }

    private static JsonNode items(JsonNode body, String pointer, ChatwootEntity entity) {
        JsonNode items = pointer.isEmpty() ? body : body.at(pointer);
        if (items == null || !items.isArray()) {
            throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "Chatwoot " + entity.path() + " response has no array at '"
                    + pointer + "'", context(entity));
        }
        return items;
    }

    private static HttpCall call(String path, ChatwootEntity entity) {
        return HttpCall.get(path).withEntity(entity.path());
    }

    private static int pageNumber(Optional<String> cursor) {
        if (cursor.isEmpty()) {
            return 1;
        }
        try {
            int page = Integer.parseInt(cursor.get());
            if (page < 1) {
                throw new NumberFormatException();
            }
            return page;
        } catch (NumberFormatException e) {
            throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "not a Chatwoot cursor: " + cursor.get(),
                    ErrorContext.provider(ChatwootProvider.ID));
        }
    }

    private static ChatwootEntity entity(EntityType type) {
        return ChatwootEntity.byPath(type.name()).orElseThrow(() -> new JunctionException(ErrorKind.INVALID_INPUT,
                "Chatwoot has no entity '" + type.name() + "'", ErrorContext.provider(ChatwootProvider.ID)));
    }

    static ErrorContext context(ChatwootEntity entity) {
        return ErrorContext.provider(ChatwootProvider.ID).withEntity(entity.path());
    }
}
