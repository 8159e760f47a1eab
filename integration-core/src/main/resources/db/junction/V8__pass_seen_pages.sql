-- What a full pass listed without changing, one row per page (PostgreSQL). Marking each unchanged record seen
-- rewrote its whole row (payload included), so a re-sync with nothing changed wrote as many rows as it read; a page's
-- ids in one array row cost one narrow insert. The deletion sweep spares records listed here or marked seen_pass
-- (new and changed records, webhook writes); the rows go when the pass finishes. H2 keeps marking seen_pass.
CREATE TABLE junction_pass_seen (
    tenant_id           VARCHAR(128) NOT NULL,
    connection_id       VARCHAR(64)  NOT NULL,
    entity              VARCHAR(64)  NOT NULL,
    pass_id             BIGINT       NOT NULL,
    ids                 VARCHAR(255) ARRAY NOT NULL
);
CREATE INDEX junction_pass_seen_pass ON junction_pass_seen (connection_id, entity, pass_id);

-- Every query of raw records names the connection and entity (and the tenant), which the primary key
-- (connection_id, entity, external_id) serves; this index only cost each inserted record one more index entry.
DROP INDEX junction_raw_record_tenant;
