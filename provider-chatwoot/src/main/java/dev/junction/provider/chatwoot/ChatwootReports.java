package dev.junction.provider.chatwoot;

import dev.junction.core.Hub;
import dev.junction.core.RecordPage;
import dev.junction.core.RecordQuery;
import dev.junction.core.StoredRecord;
import dev.junction.core.model.Conversation;
import dev.junction.core.model.Message;
import dev.junction.core.model.UnifiedRecord;
import dev.junction.core.model.UnifiedType;
import dev.junction.core.model.User;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The support views, computed on each call from the Hub's stored unified records of one Chatwoot connection (so
 * they are current after every sync or webhook):
 * <ul>
 *   <li>{@link #agentPerformance}: per agent, the first response time of the conversations they answered first
 *       (from the first incoming message, or the conversation's creation when it has none, to the first outgoing,
 *       non-private message sent by a user) and the resolution time of the resolved conversations assigned to them
 *       (creation to last activity: Chatwoot's API exposes no resolution timestamp, and a resolved conversation's
 *       last activity is its resolution unless it was touched afterwards);</li>
 *   <li>{@link #dailyMessageVolume}: per inbox and calendar day (in a time zone), incoming and outgoing messages;
 *       private notes, activity and template messages do not count.</li>
 * </ul>
 * Deleted records never count. O(conversations + messages) per call; a materialised view is future work.
 * Thread-safe.
 */
public final class ChatwootReports {

    private static final int PAGE = 500;

    private final Hub hub;

    public ChatwootReports(Hub hub) {
        this.hub = Objects.requireNonNull(hub, "hub");
    }

    /**
     * One agent's numbers; durations are null when there is nothing to average.
     *
     * @param agentId the Chatwoot user id
     * @param name the agent's name, or null when the agent is not stored (removed from the account)
     */
    public record AgentPerformance(String agentId, String name, int firstResponses, Duration averageFirstResponse,
            int resolvedConversations, Duration averageResolution) {
    }

    /** Messages of one inbox on one day. */
    public record DailyInboxVolume(String inboxId, LocalDate day, int incoming, int outgoing) {
        public int total() {
            return incoming + outgoing;
        }
    }

    /** Every agent with a first response or a resolution (and every stored agent), ordered by agent id. */
    public List<AgentPerformance> agentPerformance(String tenantId, String connectionId) {
        Map<String, String> names = new HashMap<>();
        each(tenantId, connectionId, UnifiedType.USER, User.class, user -> names.put(user.externalId(), user.name()));
        Map<String, Conversation> conversations = conversations(tenantId, connectionId);
        Map<String, List<Message>> byConversation = new HashMap<>();
        each(tenantId, connectionId, UnifiedType.MESSAGE, Message.class, message -> {
            if (message.conversationId() != null && message.createdAt() != null) {
                byConversation.computeIfAbsent(message.conversationId(), id -> new ArrayList<>()).add(message);
            }
        });
        Map<String, Totals> totals = new TreeMap<>(Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder()));
        names.keySet().forEach(id -> totals.put(id, new Totals()));
        for (Conversation conversation : conversations.values()) {
            List<Message> messages = byConversation.getOrDefault(conversation.externalId(), List.of());
            messages.sort(Comparator.comparing(Message::createdAt).thenComparing(Message::externalId));
            Instant start = messages.stream().filter(message -> "incoming".equals(message.direction())).map(Message::createdAt)
                    .findFirst().orElse(conversation.createdAt());
            if (start != null) {
                messages.stream()
                        .filter(message -> "outgoing".equals(message.direction()) && !message.privateNote()
                                && "user".equals(message.senderType()) && message.senderId() != null
                                && !message.createdAt().isBefore(start))
                        .findFirst()
                        .ifPresent(reply -> totals.computeIfAbsent(reply.senderId(), id -> new Totals())
                                .firstResponse(Duration.between(start, reply.createdAt())));
            }
            if ("resolved".equals(conversation.status()) && conversation.assigneeId() != null
                    && conversation.createdAt() != null && conversation.lastActivityAt() != null) {
                totals.computeIfAbsent(conversation.assigneeId(), id -> new Totals())
                        .resolution(Duration.between(conversation.createdAt(), conversation.lastActivityAt()));
            }
        }
        List<AgentPerformance> result = new ArrayList<>();
        totals.forEach((id, total) -> result.add(new AgentPerformance(id, names.get(id), total.responses,
                average(total.responseTime, total.responses), total.resolutions, average(total.resolutionTime, total.resolutions))));
        return result;
    }

    /** Daily volume per inbox, days in {@code zone}, ordered by inbox id then day. */
    public List<DailyInboxVolume> dailyMessageVolume(String tenantId, String connectionId, ZoneId zone) {
        Objects.requireNonNull(zone, "zone");
        Map<String, Conversation> conversations = conversations(tenantId, connectionId);
        Map<String, TreeMap<LocalDate, int[]>> counts = new TreeMap<>(Comparator.comparingInt(String::length)
                .thenComparing(Comparator.naturalOrder()));
        each(tenantId, connectionId, UnifiedType.MESSAGE, Message.class, message -> {
            Conversation conversation = conversations.get(message.conversationId());
            if (conversation == null || conversation.inboxId() == null || message.createdAt() == null || message.privateNote()) {
                return;
            }
            int slot = "incoming".equals(message.direction()) ? 0 : "outgoing".equals(message.direction()) ? 1 : -1;
            if (slot < 0) {
                return;
            }
            LocalDate day = LocalDate.ofInstant(message.createdAt(), zone);
            counts.computeIfAbsent(conversation.inboxId(), id -> new TreeMap<>()).computeIfAbsent(day, d -> new int[2])[slot]++;
        });
        List<DailyInboxVolume> result = new ArrayList<>();
        counts.forEach((inbox, days) -> days.forEach((day, count) -> result.add(new DailyInboxVolume(inbox, day, count[0], count[1]))));
        return result;
    }

    private Map<String, Conversation> conversations(String tenantId, String connectionId) {
        Map<String, Conversation> conversations = new HashMap<>();
        each(tenantId, connectionId, UnifiedType.CONVERSATION, Conversation.class,
                conversation -> conversations.put(conversation.externalId(), conversation));
        return conversations;
    }

    private static Duration average(Duration sum, int count) {
        return count == 0 ? null : sum.dividedBy(count);
    }

    private <T extends UnifiedRecord> void each(String tenantId, String connectionId, UnifiedType type, Class<T> javaType,
            Consumer<T> consumer) {
        RecordQuery query = RecordQuery.of(tenantId, type).withConnection(connectionId).withLimit(PAGE);
        while (true) {
            RecordPage<StoredRecord<T>> page = hub.query(query, javaType);
            page.items().stream().filter(stored -> !stored.deleted()).map(StoredRecord::record).forEach(consumer);
            if (page.nextCursor().isEmpty()) {
                return;
            }
            query = query.withCursor(page.nextCursor().get());
        }
    }

    private static final class Totals {
        int responses;
        Duration responseTime = Duration.ZERO;
        int resolutions;
        Duration resolutionTime = Duration.ZERO;

        void firstResponse(Duration value) {
            responses++;
            responseTime = responseTime.plus(value);
        }

        void resolution(Duration value) {
            resolutions++;
            resolutionTime = resolutionTime.plus(value);
        }
    }
}
