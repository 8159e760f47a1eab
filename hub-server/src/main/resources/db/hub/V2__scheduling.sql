-- Durable, cluster-safe scheduling (db-scheduler). Runs unchanged on PostgreSQL and on H2 in PostgreSQL mode.

-- db-scheduler's table (its PostgreSQL DDL, with VARCHAR instead of TEXT so H2 can index the key), renamed to
-- hub-server's prefix. One row per task instance: a connection's sync, the maintenance round.
CREATE TABLE hub_scheduled_tasks (
    task_name             VARCHAR(100) NOT NULL,
    task_instance         VARCHAR(200) NOT NULL,
    task_data             BYTEA,
    execution_time        TIMESTAMP WITH TIME ZONE NOT NULL,
    picked                BOOLEAN      NOT NULL,
    picked_by             VARCHAR(200),
    last_success          TIMESTAMP WITH TIME ZONE,
    last_failure          TIMESTAMP WITH TIME ZONE,
    consecutive_failures  INT,
    last_heartbeat        TIMESTAMP WITH TIME ZONE,
    version               BIGINT       NOT NULL,
    priority              SMALLINT,
    PRIMARY KEY (task_name, task_instance)
);
CREATE INDEX hub_scheduled_tasks_execution_time ON hub_scheduled_tasks (execution_time);
CREATE INDEX hub_scheduled_tasks_last_heartbeat ON hub_scheduled_tasks (last_heartbeat);
CREATE INDEX hub_scheduled_tasks_priority ON hub_scheduled_tasks (priority DESC, execution_time ASC);

-- Per connection: how often it syncs (NULL = the server's sync.interval) and whether scheduled syncs are on.
CREATE TABLE hub_sync_schedule (
    connection_id     VARCHAR(64)  PRIMARY KEY,
    tenant_id         VARCHAR(128) NOT NULL,
    interval_seconds  INT,
    enabled           BOOLEAN      NOT NULL,
    last_run_id       VARCHAR(64),
    last_run_at       TIMESTAMP WITH TIME ZONE,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX hub_sync_schedule_tenant ON hub_sync_schedule (tenant_id);
