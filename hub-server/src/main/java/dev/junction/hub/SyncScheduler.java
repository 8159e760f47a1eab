package dev.junction.hub;

import com.github.kagkarlsson.scheduler.ScheduledExecution;
import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.exceptions.TaskInstanceException;
import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import com.github.kagkarlsson.scheduler.task.ExecutionContext;
import com.github.kagkarlsson.scheduler.task.ExecutionOperations;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.TaskInstanceId;
import com.github.kagkarlsson.scheduler.task.helper.CustomTask;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import dev.junction.core.Connection;
import dev.junction.core.ConnectionStatus;
import dev.junction.core.EntitySyncStats;
import dev.junction.core.Hub;
import dev.junction.core.SyncHandle;
import dev.junction.core.SyncRequest;
import dev.junction.core.SyncRun;
import dev.junction.core.SyncStatus;
import dev.junction.core.TokenMaintenance;
import dev.junction.core.WebhookMaintenance;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable, cluster-safe scheduling on db-scheduler, in hub-server's table {@code hub_scheduled_tasks} of the same
 * database: a recurring incremental sync per connection (task {@value #SYNC_TASK}, instance id = connection id) and one
 * maintenance round (task {@value #MAINTENANCE_TASK}: token refresh ahead of expiry, webhook renewal, webhook inbox
 * retries, and scheduling active connections that have no sync scheduled yet).
 *
 * <p>Every node polls the table; db-scheduler picks each due execution for exactly one node (optimistic version
 * update) and heartbeats it while it runs. A node that dies leaves a stale heartbeat; after
 * {@code heartbeat × missed-heartbeats} another node revives the execution and runs it. The core's
 * (connection, entity) leases guard the entities on top, and a resumed pass continues from its checkpoint.
 *
 * <p>The interval and on/off switch of a connection live in {@code hub_sync_schedule} and are read when an execution
 * ends, so a change made while a sync runs applies to the next one. A node with {@code scheduler.enabled=false} only
 * writes schedules (an API-only node); it runs nothing.
 *
 * <p>Thread-safe.
 */
public final class SyncScheduler implements AutoCloseable {

    static final String SYNC_TASK = "junction-sync";
    static final String MAINTENANCE_TASK = "junction-maintenance";
    static final String TABLE = "hub_scheduled_tasks";
    /** The bounds of an interval set over the API. */
    static final Duration MIN_INTERVAL = Duration.ofMinutes(1);
    static final Duration MAX_INTERVAL = Duration.ofDays(7);

    private static final Logger LOG = LoggerFactory.getLogger(SyncScheduler.class);

    /** How the scheduler runs; from {@link ServerConfig}. */
    public record Settings(boolean run, String nodeName, Duration defaultInterval, Duration pollInterval, Duration heartbeat,
            int missedHeartbeats, int threads, Duration maintenanceInterval, Duration tokenRefreshAhead, Duration retryDelay) {

        static Settings of(ServerConfig config) {
            return new Settings(config.schedulerEnabled(), config.nodeName(), config.syncInterval(), config.schedulerPollInterval(),
                    config.schedulerHeartbeat(), config.schedulerMissedHeartbeats(), config.schedulerThreads(),
                    config.maintenanceInterval(), config.tokenRefreshAhead(), config.syncRetryDelay());
        }
    }

    /**
     * A connection's schedule as the API shows it.
     *
     * @param interval the interval in force (the connection's own, or the server default)
     * @param ownInterval whether the connection has its own interval
     * @param nextRunAt when the next scheduled sync is due (null when off)
     * @param running whether a node is running its scheduled sync now
     */
    public record Schedule(String connectionId, Duration interval, boolean ownInterval, boolean enabled, Instant nextRunAt,
            boolean running, String lastRunId, Instant lastRunAt) {}

    /** One scheduled sync this node started: which execution (connection, due time) and the run it became. */
    public record Execution(String connectionId, Instant dueAt, String runId, String node) {}

    private record Row(String connectionId, String tenantId, Integer intervalSeconds, boolean enabled, String lastRunId,
            Instant lastRunAt) {}

    private final Hub hub;
    private final TenantStore tenants;
    private final Jdbi jdbi;
    private final Settings settings;
    private final Clock clock;
    private final CustomTask<Void> syncTask;
    private final RecurringTask<Void> maintenanceTask;
    private final Scheduler scheduler;
    private final SchedulerClient client;
    /** The most recent scheduled syncs this node started (bounded: a long-running node forgets the oldest). */
    private final java.util.ArrayDeque<Execution> executions = new java.util.ArrayDeque<>();
    private static final int EXECUTIONS_KEPT = 10_000;
    private final Set<SyncHandle> running = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;

    SyncScheduler(Hub hub, TenantStore tenants, DataSource dataSource, Settings settings, Clock clock) {
        this.hub = hub;
        this.tenants = tenants;
        this.jdbi = hub.database().jdbi();
        this.settings = settings;
        this.clock = clock;
        this.syncTask = Tasks.custom(SYNC_TASK, Void.class)
                .onFailure(this::syncFailed)
                .onDeadExecutionRevive()
                .execute(this::runSync);
        this.maintenanceTask = Tasks.recurring(MAINTENANCE_TASK, FixedDelay.of(settings.maintenanceInterval()))
                .execute((instance, context) -> maintain());
        List<Task<?>> known = List.of(syncTask, maintenanceTask);
        if (settings.run()) {
            this.scheduler = Scheduler.create(dataSource, List.of(syncTask)) // start tasks are known tasks too
                    .tableName(TABLE)
                    .schedulerName(new SchedulerName.Fixed(settings.nodeName()))
                    .threads(settings.threads())
                    .pollingInterval(settings.pollInterval())
                    .heartbeatInterval(settings.heartbeat())
                    .missedHeartbeatsLimit(settings.missedHeartbeats())
                    .startTasks(maintenanceTask)
                    .enableImmediateExecution()
                    .shutdownMaxWait(Duration.ofSeconds(30))
                    .build();
            this.client = scheduler;
        } else {
            this.scheduler = null;
            this.client = SchedulerClient.Builder.create(dataSource, known).tableName(TABLE).build();
        }
    }

    /** Starts polling (a node that runs tasks); an API-only node has nothing to start. */
    void start() {
        if (scheduler != null) {
            scheduler.start();
            LOG.info("scheduler started on node {} (sync every {} by default, maintenance every {})", settings.nodeName(),
                    settings.defaultInterval(), settings.maintenanceInterval());
        }
    }

    /** Whether this node runs scheduled work. */
    public boolean runsTasks() {
        return scheduler != null;
    }

    /** The scheduled syncs this node started, oldest first (the most recent {@value #EXECUTIONS_KEPT}). */
    public List<Execution> executions() {
        synchronized (executions) {
            return List.copyOf(executions);
        }
    }

    private void remember(Execution execution) {
        synchronized (executions) {
            if (executions.size() == EXECUTIONS_KEPT) {
                executions.removeFirst();
            }
            executions.addLast(execution);
        }
    }

    // ---- schedules --------------------------------------------------------------------------------------------

    /** A connection became usable (created active, OAuth completed): its scheduled sync is due now unless it is off. */
    void connectionActive(String tenantId, String connectionId) {
        Row row = ensureRow(tenantId, connectionId);
        if (row.enabled()) {
            scheduleAt(connectionId, clock.instant());
        }
    }

    /** Schedules (or moves) the connection's sync; one running now is left alone (it reschedules itself when done). */
    private void scheduleAt(String connectionId, Instant due) {
        try {
            client.schedule(syncTask.instance(connectionId), due, SchedulerClient.ScheduleOptions.WHEN_EXISTS_RESCHEDULE);
        } catch (TaskInstanceException e) {
            LOG.debug("sync of connection {} is running; it reschedules itself when it ends", connectionId);
        }
    }

    /** The connection is gone: its schedule and any scheduled sync go too (a running one ends with it). */
    void connectionDeleted(String connectionId) {
        jdbi.useHandle(handle -> handle.createUpdate("DELETE FROM hub_sync_schedule WHERE connection_id = :id")
                .bind("id", connectionId).execute());
        cancel(connectionId);
    }

    /** The connection's schedule; the tenant must own the connection (the caller checked it). */
    Schedule schedule(String tenantId, String connectionId) {
        Row row = findRow(connectionId).filter(found -> found.tenantId().equals(tenantId))
                .orElseGet(() -> new Row(connectionId, tenantId, null, true, null, null));
        Optional<ScheduledExecution<Object>> next = client.getScheduledExecution(TaskInstanceId.of(SYNC_TASK, connectionId));
        return new Schedule(connectionId, interval(row), row.intervalSeconds() != null, row.enabled(),
                next.map(ScheduledExecution::getExecutionTime).orElse(null), next.map(ScheduledExecution::isPicked).orElse(false),
                row.lastRunId(), row.lastRunAt());
    }

    /**
     * Sets a connection's interval ({@code null} = the server default) and switch. Enabling or changing the interval
     * moves the next sync to {@code now + interval} (or now, when it was never synced by the scheduler); disabling
     * removes it. A sync running now finishes and then follows the new settings.
     */
    Schedule update(Connection connection, Duration interval, boolean enabled) {
        ensureRow(connection.tenantId(), connection.id());
        Instant now = clock.instant();
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE hub_sync_schedule SET interval_seconds = :interval, enabled = :enabled, "
                        + "updated_at = :now WHERE connection_id = :id AND tenant_id = :tenant")
                .bind("interval", interval == null ? null : (int) interval.toSeconds()).bind("enabled", enabled)
                .bind("now", Timestamp.from(now)).bind("id", connection.id()).bind("tenant", connection.tenantId()).execute());
        Row row = findRow(connection.id()).orElseThrow();
        TaskInstanceId id = TaskInstanceId.of(SYNC_TASK, connection.id());
        Optional<ScheduledExecution<Object>> existing = client.getScheduledExecution(id);
        boolean picked = existing.map(ScheduledExecution::isPicked).orElse(false);
        if (!picked) {
            if (!enabled) {
                cancel(connection.id());
            } else if (connection.status() == ConnectionStatus.ACTIVE) {
                Instant due = row.lastRunAt() == null ? now : now.plus(interval(row));
                scheduleAt(connection.id(), due);
            }
        }
        return schedule(connection.tenantId(), connection.id());
    }

    private Row ensureRow(String tenantId, String connectionId) {
        Optional<Row> existing = findRow(connectionId);
        if (existing.isPresent()) {
            return existing.get();
        }
        try {
            jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO hub_sync_schedule (connection_id, tenant_id, interval_seconds, "
                            + "enabled, updated_at) VALUES (:id, :tenant, NULL, TRUE, :now)")
                    .bind("id", connectionId).bind("tenant", tenantId).bind("now", Timestamp.from(clock.instant())).execute());
        } catch (RuntimeException e) {
            // another node inserted it first
            return findRow(connectionId).orElseThrow(() -> e);
        }
        return findRow(connectionId).orElseThrow();
    }

    private Optional<Row> findRow(String connectionId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM hub_sync_schedule WHERE connection_id = :id")
                .bind("id", connectionId)
                .map((rs, ctx) -> new Row(rs.getString("connection_id"), rs.getString("tenant_id"),
                        (Integer) rs.getObject("interval_seconds"), rs.getBoolean("enabled"), rs.getString("last_run_id"),
                        rs.getTimestamp("last_run_at") == null ? null : rs.getTimestamp("last_run_at").toInstant()))
                .findOne());
    }

    private Duration interval(Row row) {
        return row.intervalSeconds() == null ? settings.defaultInterval() : Duration.ofSeconds(row.intervalSeconds());
    }

    private void cancel(String connectionId) {
        try {
            client.cancel(TaskInstanceId.of(SYNC_TASK, connectionId));
        } catch (TaskInstanceException e) {
            // not scheduled, or running now: the execution reads the schedule when it ends and removes itself
        }
    }

    // ---- the sync task ----------------------------------------------------------------------------------------

    private CompletionHandler<Void> runSync(TaskInstance<Void> instance, ExecutionContext context) {
        String connectionId = instance.getId();
        Optional<Row> row = findRow(connectionId);
        if (row.isEmpty() || !row.get().enabled()) {
            return (complete, operations) -> operations.remove();
        }
        String tenantId = row.get().tenantId();
        Connection connection;
        try {
            connection = hub.getConnection(tenantId, connectionId);
        } catch (JunctionException e) {
            if (e.kind() == ErrorKind.NOT_FOUND) {
                connectionDeleted(connectionId);
                return (complete, operations) -> operations.remove();
            }
            throw e;
        }
        if (connection.status() != ConnectionStatus.ACTIVE || closing) {
            // Needs re-authorisation (completing OAuth schedules it at once), or this node is stopping.
            return next(connectionId, closing ? Duration.ZERO : null);
        }
        SyncHandle handle = hub.startSync(tenantId, connectionId, SyncRequest.incremental());
        running.add(handle);
        if (closing) {
            handle.cancel(); // close() may have cancelled the others before this one was added
        }
        Instant startedAt = clock.instant();
        remember(new Execution(connectionId, context.getExecution().executionTime, handle.runId(), settings.nodeName()));
        jdbi.useHandle(h -> h.createUpdate("UPDATE hub_sync_schedule SET last_run_id = :run, last_run_at = :at WHERE connection_id = :id")
                .bind("run", handle.runId()).bind("at", Timestamp.from(startedAt)).bind("id", connectionId).execute());
        SyncRun run;
        try {
            run = handle.await();
        } finally {
            running.remove(handle);
        }
        if (run.status() == SyncStatus.FAILED) {
            throw new IllegalStateException("scheduled sync " + run.id() + " of connection " + connectionId + " failed: " + run.error());
        }
        boolean contended = run.entities().stream().map(EntitySyncStats::status).anyMatch(status -> status == SyncStatus.SKIPPED);
        if (run.status() == SyncStatus.CANCELLED || contended) {
            // Stopped by a closing node, or an entity's lease is still held (a sync started over the API, or one of a
            // node that died and whose lease has not run out yet): try again soon.
            return next(connectionId, closing ? Duration.ZERO : settings.retryDelay());
        }
        return next(connectionId, null);
    }

    /** Reschedules after {@code delay}, or after the connection's interval as read now (null); removes when off. */
    private CompletionHandler<Void> next(String connectionId, Duration delay) {
        return (complete, operations) -> {
            Optional<Row> row = findRow(connectionId);
            if (row.isEmpty() || !row.get().enabled()) {
                operations.remove();
                return;
            }
            Duration wait = delay != null ? delay : interval(row.get());
            operations.reschedule(complete, clock.instant().plus(wait));
        };
    }

    /** A failed run (or a failure to start one) retries with exponential backoff, never later than the interval. */
    private void syncFailed(ExecutionComplete complete, ExecutionOperations<Void> operations) {
        String connectionId = complete.getExecution().taskInstance.getId();
        Optional<Row> row = findRow(connectionId);
        if (row.isEmpty() || !row.get().enabled()) {
            operations.remove();
            return;
        }
        int failures = Math.min(complete.getExecution().consecutiveFailures, 16);
        Duration backoff = settings.retryDelay().multipliedBy(1L << failures);
        Duration interval = interval(row.get());
        Duration wait = backoff.compareTo(interval) < 0 ? backoff : interval;
        LOG.warn("scheduled sync of connection {} failed ({} in a row); next attempt in {}: {}", connectionId, failures + 1, wait,
                complete.getCause().map(Throwable::getMessage).orElse("unknown"));
        operations.reschedule(complete, clock.instant().plus(wait));
    }

    // ---- maintenance ------------------------------------------------------------------------------------------

    /**
     * One maintenance round; each step runs even when another failed. Public for tests and operators: safe to call
     * at any time on any node (every step is guarded in the database).
     */
    public void maintain() {
        try {
            TokenMaintenance tokens = hub.refreshExpiringTokens(settings.tokenRefreshAhead());
            if (tokens.refreshed() + tokens.failed() > 0) {
                LOG.info("maintenance: refreshed {} token(s) ahead of expiry, {} failed", tokens.refreshed(), tokens.failed());
            }
        } catch (RuntimeException e) {
            LOG.warn("maintenance: token refresh failed: {}", e.getMessage());
        }
        try {
            WebhookMaintenance webhooks = hub.maintainWebhooks();
            if (webhooks.renewed() + webhooks.activated() + webhooks.failed() > 0) {
                LOG.info("maintenance: webhooks renewed {}, activated {}, failed {}", webhooks.renewed(), webhooks.activated(), webhooks.failed());
            }
        } catch (RuntimeException e) {
            LOG.warn("maintenance: webhook renewal failed: {}", e.getMessage());
        }
        try {
            hub.processWebhooks();
        } catch (RuntimeException e) {
            LOG.warn("maintenance: webhook inbox round failed: {}", e.getMessage());
        }
        try {
            scheduleUnscheduled();
        } catch (RuntimeException e) {
            LOG.warn("maintenance: scheduling connections failed: {}", e.getMessage());
        }
    }

    /**
     * Schedules every active connection of hub-server's tenants that has no scheduled sync (made active outside the
     * API, or before scheduling existed), and forgets schedules of deleted connections.
     *
     * <p>Two queries find the work whatever the number of tenants and connections (it reads the library's
     * {@code junction_connection}, as {@link ConnectionErrors} reads its run tables): the maintenance round runs every
     * {@code maintenance.interval} on a node, so it must not cost a query per tenant or connection when there is
     * nothing to do. Each finds its rows in one statement's snapshot, so a connection created meanwhile is never taken
     * for a deleted one (its schedule row is written after the connection's).
     */
    int scheduleUnscheduled() {
        int scheduled = 0;
        List<Unscheduled> unscheduled = jdbi.withHandle(handle -> handle.createQuery("SELECT c.tenant_id, c.id FROM junction_connection c "
                        + "JOIN hub_tenant t ON t.id = c.tenant_id WHERE c.status = :active "
                        + "AND NOT EXISTS (SELECT 1 FROM " + TABLE + " s WHERE s.task_name = :task AND s.task_instance = c.id) "
                        + "AND NOT EXISTS (SELECT 1 FROM hub_sync_schedule o WHERE o.connection_id = c.id AND o.enabled = FALSE) "
                        + "ORDER BY c.tenant_id, c.id")
                .bind("active", ConnectionStatus.ACTIVE.name()).bind("task", SYNC_TASK)
                .map((rs, ctx) -> new Unscheduled(rs.getString("tenant_id"), rs.getString("id"))).list());
        for (Unscheduled connection : unscheduled) {
            Row row = ensureRow(connection.tenantId(), connection.connectionId());
            if (row.enabled() && client.scheduleIfNotExists(syncTask.instance(connection.connectionId()), clock.instant())) {
                scheduled++;
            }
        }
        List<String> gone = jdbi.withHandle(handle -> handle.createQuery("SELECT s.connection_id FROM hub_sync_schedule s "
                        + "WHERE NOT EXISTS (SELECT 1 FROM junction_connection c WHERE c.id = s.connection_id)")
                .mapTo(String.class).list());
        gone.forEach(this::connectionDeleted);
        if (scheduled > 0) {
            LOG.info("maintenance: scheduled syncs for {} connection(s)", scheduled);
        }
        return scheduled;
    }

    private record Unscheduled(String tenantId, String connectionId) {}

    /**
     * Stops this node: running scheduled syncs are cancelled (they stop after the current page, keep their
     * checkpoint and are due again at once, for any node), then the scheduler stops.
     */
    @Override
    public void close() {
        closing = true;
        running.forEach(SyncHandle::cancel);
        if (scheduler != null) {
            scheduler.stop();
        }
    }
}
