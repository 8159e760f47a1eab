package dev.junction.core.internal.store;

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
 * STDIN} in binary format (no parameters to bind, nothing to escape or parse, and the server inserts them in bulk); otherwise one
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

    /**
     * Binds one row's values, in column order, through {@link Row}. Not generic on purpose: a class implementing a
     * generic interface for a concrete type gets a bridge method, and the optimising compiler compiled both the
     * bridge (with the binding inlined) and the binding itself, each hot once per row (0.3 s of a cold sync's C2 time
     * for the unified rows' binder alone). Implementations cast the item to the type they bind.
     */
    @FunctionalInterface
    interface Binder {
        void bind(Row row, Object item) throws SQLException;
    }

    /** The values of one row, in column order. */
    interface Row {
        Row text(String value) throws SQLException;

        /** Text given as its UTF-8 bytes (null for null). */
        Row utf8(byte[] value) throws SQLException;

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
        public Row utf8(byte[] value) throws SQLException {
            return text(value == null ? null : new String(value, StandardCharsets.UTF_8));
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

    /** Where {@link CopyBinary} hands its filled chunks: the COPY's stream ({@link CopyIn#writeToCopy}). */
    @FunctionalInterface
    interface Sink {
        void write(byte[] bytes, int offset, int length) throws SQLException;
    }

    /**
     * Rows in COPY's binary format: a fixed header, then per row its field count and each field as a length and
     * bytes ({@code -1} for null), then a trailer. Nothing is escaped or parsed: text goes as its UTF-8 bytes (the
     * driver's client encoding), timestamps as microseconds since 2000-01-01 UTC, booleans as one byte, numbers as
     * eight bytes. So {@link #number} is for {@code BIGINT} columns only, and each value's column must have the type
     * its method writes: the server refuses a row whose bytes do not fit the column ("incorrect binary data format").
     */
    static final class CopyBinary implements Row {
        private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0,
            0, 0, 0, 0, // flags
            0, 0, 0, 0}; // header extension length
        /** 2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch, in seconds since 1970. */
        private static final long POSTGRES_EPOCH_SECONDS = 946_684_800L;
        /** Rows are handed to the COPY in chunks of this size: a page is never held whole, nor copied as it grows. */
        static final int CHUNK = 64 * 1024;

        private final short columns;
        private final Sink sink;
        private final byte[] buffer = new byte[CHUNK];
        private int size;

        CopyBinary(int columns, Sink sink) throws SQLException {
            this.columns = (short) columns;
            this.sink = sink;
            put(HEADER, 0, HEADER.length);
        }

        void startRow() throws SQLException {
            ensure(2);
            putShort(columns);
        }

        /** Writes the trailer and hands over what is still buffered. */
        void finish() throws SQLException {
            ensure(2);
            putShort((short) -1);
            flush();
        }

        @Override
        public Row text(String value) throws SQLException {
            if (value == null) {
                return nullField();
            }
            return utf8(value.getBytes(StandardCharsets.UTF_8)); // a plain array copy for ASCII text
        }

        /** Sends the bytes as they are: nothing is encoded. */
        @Override
        public Row utf8(byte[] value) throws SQLException {
            if (value == null) {
                return nullField();
            }
            ensure(4);
            putInt(value.length);
            put(value, 0, value.length);
            return this;
        }

        @Override
        public Row number(long value) throws SQLException {
            ensure(12);
            putInt(8);
            putLong(value);
            return this;
        }

        @Override
        public Row flag(boolean value) throws SQLException {
            ensure(5);
            putInt(1);
            buffer[size++] = (byte) (value ? 1 : 0);
            return this;
        }

        @Override
        public Row timestamp(Instant value) throws SQLException {
            if (value == null) {
                return nullField();
            }
            // Rounded to the microsecond, half up, as the driver rounds a timestamp it sends as text.
            long micros = Math.addExact(Math.multiplyExact(value.getEpochSecond() - POSTGRES_EPOCH_SECONDS, 1_000_000L),
                    (value.getNano() + 500) / 1_000);
            ensure(12);
            putInt(8);
            putLong(micros);
            return this;
        }

        private Row nullField() throws SQLException {
            ensure(4);
            putInt(-1);
            return this;
        }

        /** Room for {@code more} bytes (at most a few: larger values go through {@link #put}). */
        private void ensure(int more) throws SQLException {
            if (size + more > buffer.length) {
                flush();
            }
        }

        private void put(byte[] bytes, int offset, int length) throws SQLException {
            if (length > buffer.length - size) {
                flush();
                if (length > buffer.length) {
                    sink.write(bytes, offset, length); // a value larger than a chunk goes as it is
                    return;
                }
            }
            System.arraycopy(bytes, offset, buffer, size, length);
            size += length;
        }

        private void flush() throws SQLException {
            if (size > 0) {
                sink.write(buffer, 0, size);
                size = 0;
            }
        }

        private void putShort(short value) {
            buffer[size++] = (byte) (value >>> 8);
            buffer[size++] = (byte) value;
        }

        private void putInt(int value) {
            buffer[size++] = (byte) (value >>> 24);
            buffer[size++] = (byte) (value >>> 16);
            buffer[size++] = (byte) (value >>> 8);
            buffer[size++] = (byte) value;
        }

        private void putLong(long value) {
            putInt((int) (value >>> 32));
            putInt((int) value);
        }
    }

    /**
     * Inserts {@code values} into {@code table}'s {@code columns}; each row's placeholders are {@code rowTemplate}
     * (such as {@code "(?, ?, ?)"}, one {@code ?} per column, each bound in column order by {@code binder}).
     */
    static void insert(Handle handle, String table, String columns, String rowTemplate, List<?> values, Binder binder) {
        if (values.isEmpty()) return;
        Connection connection = handle.getConnection();
        if (values.size() >= COPY_FROM) {
            CopyIn copy = startCopy(connection, table, columns);
            if (copy != null) {
                copy(copy, table, columnCount(columns), values, binder);
                return;
            }
        }
        int parameters = (int) rowTemplate.chars().filter(c -> c == '?').count();
        int chunk = Math.max(1, MAX_PARAMETERS / Math.max(parameters, 1));
        for (int from = 0; from < values.size(); from += chunk) {
            List<?> part = values.subList(from, Math.min(values.size(), from + chunk));
            StringBuilder sql = new StringBuilder(64 + part.size() * (rowTemplate.length() + 2))
                    .append("INSERT INTO ").append(table).append(" (").append(columns).append(") VALUES ");
            for (int i = 0; i < part.size(); i++) {
                if (i > 0) sql.append(", ");
                sql.append(rowTemplate);
            }
            String text = sql.toString();
            try (PreparedStatement statement = connection.prepareStatement(text)) {
                Row row = new StatementRow(statement);
                for (Object value : part) {
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
                    .copyIn("COPY " + table + " (" + columns + ") FROM STDIN (FORMAT binary)");
        } catch (SQLException e) {
            throw new UnableToExecuteStatementException("COPY into " + table + " failed to start", e, null);
        }
    }

    private static int columnCount(String columns) {
        return (int) columns.chars().filter(c -> c == ',').count() + 1;
    }

    private static void copy(CopyIn copy, String table, int columns, List<?> values, Binder binder) {
        try {
            CopyBinary rows = new CopyBinary(columns, copy::writeToCopy);
            for (Object value : values) {
                rows.startRow();
                binder.bind(rows, value);
            }
            rows.finish();
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
