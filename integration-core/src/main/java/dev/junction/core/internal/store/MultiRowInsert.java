package dev.junction.core.internal.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * A page's rows as one {@code INSERT ... VALUES (...), (...), ...} statement (in chunks below PostgreSQL's 32,767
 * parameters): one statement and one round trip per table per page, where a JDBC batch of single-row inserts costs
 * the database one statement execution per row. Plain JDBC on the handle's connection, inside the caller's
 * transaction; the same SQL works on PostgreSQL and H2.
 */
final class MultiRowInsert {

    private static final int MAX_PARAMETERS = 30_000;

    private MultiRowInsert() {
    }

    /** Binds one row's values, in column order, through {@link Row}. */
    @FunctionalInterface
    interface Binder<T> {
        void bind(Row row, T value) throws SQLException;
    }

    /** Positional parameters of the statement being bound. */
    static final class Row {
        private final PreparedStatement statement;
        private int index;

        Row(PreparedStatement statement) {
            this.statement = statement;
        }

        Row text(String value) throws SQLException {
            if (value == null) statement.setNull(++index, Types.VARCHAR);
            else statement.setString(++index, value);
            return this;
        }

        Row number(long value) throws SQLException {
            statement.setLong(++index, value);
            return this;
        }

        Row flag(boolean value) throws SQLException {
            statement.setBoolean(++index, value);
            return this;
        }

        Row timestamp(Instant value) throws SQLException {
            if (value == null) statement.setNull(++index, Types.TIMESTAMP_WITH_TIMEZONE);
            else statement.setObject(++index, Sql.timestamp(value));
            return this;
        }
    }

    /**
     * Inserts {@code values} into {@code table}'s {@code columns}; each row's placeholders are {@code rowTemplate}
     * (such as {@code "(?, ?, FALSE, ?)"}, with one {@code ?} per bound value).
     */
    static <T> void insert(Handle handle, String table, String columns, String rowTemplate, List<T> values, Binder<T> binder) {
        if (values.isEmpty()) return;
        int parameters = (int) rowTemplate.chars().filter(c -> c == '?').count();
        int chunk = Math.max(1, MAX_PARAMETERS / Math.max(parameters, 1));
        Connection connection = handle.getConnection();
        for (int from = 0; from < values.size(); from += chunk) {
            List<T> part = values.subList(from, Math.min(values.size(), from + chunk));
            StringBuilder sql = new StringBuilder(64 + part.size() * (rowTemplate.length() + 2))
                    .append("INSERT INTO ").append(table).append(" (").append(columns).append(") VALUES ");
            for (int i = 0; i < part.size(); i++) {
                if (i > 0) sql.append(", ");
                sql.append(rowTemplate);
            }
            String text = sql.toString();
            try (PreparedStatement statement = connection.prepareStatement(text)) {
                Row row = new Row(statement);
                for (T value : part) {
                    binder.bind(row, value);
                }
                statement.executeUpdate();
            } catch (SQLException e) {
                throw new UnableToExecuteStatementException("multi-row insert into " + table + " failed", e, null);
            }
        }
    }
}
