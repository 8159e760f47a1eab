package dev.junction.core.internal.store;

import dev.junction.core.EntityFreshness;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** Reads {@link EntityFreshness} from the checkpoints: one row per (connection, entity) that completed a pass. */
public final class FreshnessQuery {

    private FreshnessQuery() {
    }

    /** Every tenant's; for monitoring only, never for answering a tenant. */
    public static List<EntityFreshness> all(Jdbi jdbi) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT c.tenant_id, c.connection_id, n.provider_id, c.entity, "
                        + "c.high_water_mark FROM junction_sync_checkpoint c JOIN junction_connection n ON n.id = c.connection_id "
                        + "WHERE c.high_water_mark IS NOT NULL ORDER BY c.tenant_id, c.connection_id, c.entity")
                .map((rs, context) -> new EntityFreshness(rs.getString("tenant_id"), rs.getString("connection_id"),
                        rs.getString("provider_id"), rs.getString("entity"), Sql.instant(rs, "high_water_mark")))
                .list());
    }
}
