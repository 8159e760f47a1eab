package dev.junction.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A database of its own for one test class: a fresh PostgreSQL schema (dropped on close), or a fresh embedded H2
 * file database in a temporary directory. Tests never see each other's rows.
 *
 * <p>PostgreSQL is found at {@code JUNCTION_TEST_PG_URL} (default {@code jdbc:postgresql://127.0.0.1:5432/postgres},
 * user {@code postgres}, trust auth).
 */
public final class TestDatabase implements AutoCloseable {

    public enum Kind { POSTGRESQL, EMBEDDED }

    private final Kind kind;
    private final DataSource dataSource;
    private final Path dataDirectory;
    private final String schema;

    private TestDatabase(Kind kind, DataSource dataSource, Path dataDirectory, String schema) {
        this.kind = kind;
        this.dataSource = dataSource;
        this.dataDirectory = dataDirectory;
        this.schema = schema;
    }

    public static TestDatabase create(Kind kind, String owner) {
        return kind == Kind.POSTGRESQL ? postgres(owner) : embedded(owner);
    }

    /** A new schema named after the owner (a test class) plus a random suffix. */
    public static TestDatabase postgres(String owner) {
        String schema = ("t_" + owner.replaceAll("[^A-Za-z0-9]", "_") + "_" + UUID.randomUUID().toString().substring(0, 8))
                .toLowerCase(Locale.ROOT);
        if (schema.length() > 60) {
            schema = schema.substring(schema.length() - 60);
            schema = "t" + schema.substring(1);
        }
        String url = System.getenv().getOrDefault("JUNCTION_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
        String user = System.getenv().getOrDefault("JUNCTION_TEST_PG_USER", "postgres");
        try (Connection connection = DriverManager.getConnection(url, user, "");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL is needed for this test at " + url + ": " + e.getMessage(), e);
        }
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setUrl(url);
        source.setUser(user);
        source.setCurrentSchema(schema);
        return new TestDatabase(Kind.POSTGRESQL, source, null, schema);
    }

    /** A new H2 file database in a temporary directory. */
    public static TestDatabase embedded(String owner) {
        try {
            Path directory = Files.createTempDirectory("junction-" + owner.replaceAll("[^A-Za-z0-9]", "_"));
            return new TestDatabase(Kind.EMBEDDED, null, directory, null);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A JDBC URL that reaches this database from another process: PostgreSQL with {@code currentSchema} set, or
     * empty for the embedded database (use {@link #dataDirectory()}).
     */
    public java.util.Optional<String> jdbcUrl() {
        if (kind != Kind.POSTGRESQL) {
            return java.util.Optional.empty();
        }
        String url = System.getenv().getOrDefault("JUNCTION_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
        return java.util.Optional.of(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema);
    }

    public Kind kind() {
        return kind;
    }

    /** The data source, or null for the embedded kind (give {@link #dataDirectory()} to the hub instead). */
    public DataSource dataSource() {
        return dataSource;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** Configures a hub builder for this database. */
    public dev.junction.core.HubBuilder configure(dev.junction.core.HubBuilder builder) {
        return kind == Kind.POSTGRESQL ? builder.withDataSource(dataSource) : builder.withDataDirectory(dataDirectory);
    }

    @Override
    public void close() {
        if (kind == Kind.POSTGRESQL) {
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("DROP SCHEMA " + schema + " CASCADE");
            } catch (SQLException e) {
                throw new IllegalStateException("could not drop test schema " + schema, e);
            }
        } else {
            try (var files = Files.walk(dataDirectory)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public String toString() {
        return kind == Kind.POSTGRESQL ? "PostgreSQL schema " + schema : "embedded H2 in " + dataDirectory;
    }
}
