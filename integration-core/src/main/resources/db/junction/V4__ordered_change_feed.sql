-- One row per tenant, locked (UPDATE) by every transaction that appends change events, just before it allocates
-- their sequence numbers and held until it commits: within a tenant, sequence order is then commit order, so a
-- reader following the feed by sequence never sees N+1 before N is visible.
CREATE TABLE junction_feed_lock (
    tenant_id           VARCHAR(128) NOT NULL PRIMARY KEY,
    appends             BIGINT       NOT NULL
);
INSERT INTO junction_feed_lock (tenant_id, appends) SELECT DISTINCT tenant_id, 0 FROM junction_connection;
