package dev.junction.core.internal.store;

import dev.junction.core.internal.Json;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * A page's rows in one statement per table: on PostgreSQL, from {@link #COPY_FROM} rows up, one {@code COPY ... FROM
 * STDIN} (the rows as text, no parameters to bind, and the server inserts them in bulk); otherwise one
 * {@code INSERT ... VALUES (...), (...), ...} (in chunks below PostgreSQL's 32,767 parameters), where a JDBC batch of
 * single-row inserts would cost the database one statement execution per row. Plain JDBC on the handle's connection,
 * inside the caller's transaction (a failed COPY fails the transaction like a failed insert); the INSERT form works
 * on PostgreSQL and H2.
 */
final class MultiRowInsert {

    private static final int MAX_PARAMETERS = 30_000;
    /** Below this many rows an INSERT's one round trip beats COPY's two. */
    static final int COPY_FROM = 16;

    private MultiRowInsert() {
    }

    /** Binds one row's values, in column order, through {@link Row}. */
    @FunctionalInterface
    interface Binder<T> {
        void bind(Row row, T value) throws SQLException;
    }

    /** The values of one row, in column order. */
    interface Row {
        Row text(String value) throws SQLException;

        Row number(long value) throws SQLException;

        Row flag(boolean value) throws SQLException;

        Row timestamp(Instant value) throws SQLException;
    }

    /** Positional parameters of the INSERT statement being bound. */
    private static final class StatementRow implements Row {
        private final PreparedStatement statement;
        private int index;

        StatementRow(PreparedStatement statement) {
            this.statement = statement;
        }

        @Override
        public Row text(String value) throws SQLException {
            if (value == null) statement.setNull(++index, Types.VARCHAR);
            else statement.setString(++index, value);
            return this;
        }

        @Override
        public Row number(long value) throws SQLException {
            statement.setLong(++index, value);
            return this;
        }

        @Override
        public Row flag(boolean value) throws SQLException {
            statement.setBoolean(++index, value);
            return this;
        }

        @Override
        public Row timestamp(Instant value) throws SQLException {
            if (value == null) statement.setNull(++index, Types.TIMESTAMP_WITH_TIMEZONE);
            else statement.setObject(++index, Sql.timestamp(value));
            return this;
        }
    }

    /**
     * Rows in COPY's text format: columns separated by tabs, rows ended by newlines, {@code \N} for null, and
     * backslash, tab, newline and carriage return escaped with a backslash.
     */
    static final class CopyText implements Row {
        private final StringBuilder text;
        private boolean rowStarted;

        CopyText(int capacity) {
            this.text = new StringBuilder(capacity);
        }

        private StringBuilder next() {
            if (rowStarted) text.append('\t');
            rowStarted = true;
            return text;
        }

        void endRow() {
            text.append('\n');
            rowStarted = false;
        }

        @Override
        public Row text(String value) {
            StringBuilder out = next();
            if (value == null) {
                out.append("\\N");
                return this;
            }
            if (value.indexOf('\\') < 0 && value.indexOf('\n') < 0 && value.indexOf('\t') < 0 && value.indexOf('\r') < 0) {
                out.append(value); // the common case: one bulk copy (each indexOf is a vectorised scan)
                return this;
            }
            int plain = 0;
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                char escaped = switch (c) {
                    case '\\' -> '\\';
                    case '\t' -> 't';
                    case '\n' -> 'n';
                    case '\r' -> 'r';
                    default -> 0;
                };
                if (escaped != 0) {
                    out.append(value, plain, i).append('\\').append(escaped);
                    plain = i + 1;
                }
            }
            out.append(value, plain, value.length());
            return this;
        }

        @Override
        public Row number(long value) {
            next().append(value);
            return this;
        }

        @Override
        public Row flag(boolean value) {
            next().append(value ? 't' : 'f');
            return this;
        }

        @Override
        public Row timestamp(Instant value) {
            // ISO-8601 in UTC, which PostgreSQL reads; written by hand (see Json.iso), not by a formatter per value.
            next().append(value == null ? "\\N" : Json.iso(value));
            return this;
        }

        String content() {
            return text.toString();
        }
    }

    /**
     * Inserts {@code values} into {@code table}'s {@code columns}; each row's placeholders are {@code rowTemplate}
     * (such as {@code "(?, ?, ?)"}, one {@code ?} per column, each bound in column order by {@code binder}).
     */
    static <T> void insert(Handle handle, String table, String columns, String rowTemplate, List<T> values, Binder<T> binder) {
        if (values.isEmpty()) return;
        Connection connection = handle.getConnection();
        if (values.size() >= COPY_FROM) {
            CopyIn copy = startCopy(connection, table, columns);
            if (copy != null) {
                copy(copy, table, values, binder);
                return;
            }
        }
        int parameters = (int) rowTemplate.chars().filter(c -> c == '?').count();
        int chunk = Math.max(1, MAX_PARAMETERS / Math.max(parameters, 1));
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
                Row row = new StatementRow(statement);
                for (T value : part) {
                    binder.bind(row, value);
                }
                statement.executeUpdate();
            } catch (SQLException e) {
                throw new UnableToExecuteStatementException("multi-row insert into " + table + " failed", e, null);
            }
        }
    }

    /** A started COPY into the table, or null when the connection is not PostgreSQL's driver (then INSERT is used). */
    private static CopyIn startCopy(Connection connection, String table, String columns) {
        try {
            if (!connection.isWrapperFor(PGConnection.class)) {
                return null;
            }
            return connection.unwrap(PGConnection.class).getCopyAPI()
                    .copyIn("COPY " + table + " (" + columns + ") FROM STDIN");
        } catch (SQLException e) {
            throw new UnableToExecuteStatementException("COPY into " + table + " failed to start", e, null);
        }
    }

    private static <T> void copy(CopyIn copy, String table, List<T> values, Binder<T> binder) {
        try {
            CopyText rows = new CopyText(values.size() * 256);
            for (T value : values) {
                binder.bind(rows, value);
                rows.endRow();
            }
            byte[] bytes = rows.content().getBytes(StandardCharsets.UTF_8);
            copy.writeToCopy(bytes, 0, bytes.length);
            copy.endCopy();
        } catch (SQLException e) {
            cancel(copy);
            throw new UnableToExecuteStatementException("COPY into " + table + " failed", e, null);
        } catch (RuntimeException e) {
            cancel(copy);
            throw e;
        }
    }

    private static void cancel(CopyIn copy) {
        try {
            if (copy.isActive()) copy.cancelCopy();
        } catch (SQLException ignored) {
            // the transaction fails anyway; the original error is the one to report
        }
    }
}
