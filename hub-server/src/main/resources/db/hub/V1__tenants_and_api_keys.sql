-- hub-server's own tables, beside the library's junction_* tables; history in hub_schema_history.
CREATE TABLE hub_tenant (
    id          VARCHAR(64)  PRIMARY KEY,
    name        VARCHAR(200) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE hub_api_key (
    id          VARCHAR(36)  PRIMARY KEY,
    tenant_id   VARCHAR(64)  NOT NULL REFERENCES hub_tenant (id),
    name        VARCHAR(200) NOT NULL,
    prefix      VARCHAR(16)  NOT NULL,
    key_hash    CHAR(64)     NOT NULL UNIQUE,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at  TIMESTAMP WITH TIME ZONE
);

CREATE INDEX hub_api_key_tenant ON hub_api_key (tenant_id);
