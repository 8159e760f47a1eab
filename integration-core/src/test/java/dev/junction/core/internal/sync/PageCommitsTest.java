package dev.junction.core.internal.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pages committed on the committer thread, against a real PostgreSQL (a schema of this class's own). A commit is made
 * to fail with a deferred unique constraint, which PostgreSQL checks only at commit.
 */
class PageCommitsTest {

    private final String schema = "page_commits_" + UUID.randomUUID().toString().replace("-", "");
    private Jdbi jdbi;
    private final List<String> log = new ArrayList<>();

    @BeforeEach
    void createSchema() {
        jdbi = Jdbi.create("jdbc:postgresql://127.0.0.1:5432/postgres?currentSchema=" + schema, "postgres", "");
        jdbi.useHandle(handle -> {
            handle.execute("CREATE SCHEMA " + schema);
            handle.execute("CREATE TABLE " + schema + ".page_row (id INT NOT NULL, CONSTRAINT page_row_id UNIQUE (id) "
                    + "DEFERRABLE INITIALLY DEFERRED)");
        });
    }

    @AfterEach
    void dropSchema() {
        jdbi.useHandle(handle -> handle.execute("DROP SCHEMA " + schema + " CASCADE"));
    }

    private Handle page(int... ids) {
        Handle handle = jdbi.open();
        handle.begin();
        for (int id : ids) {
            handle.execute("INSERT INTO page_row (id) VALUES (?)", id);
        }
        return handle;
    }

    private List<Integer> stored() {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT id FROM page_row ORDER BY id").mapTo(Integer.class).list());
    }

    @Test
    void pagesCommitInOrderAndTheirAfterCommitActionsRunOnceKnownDurable() {
        try (PageCommits commits = new PageCommits(Map.of())) {
            commits.commitAfterPrevious(page(1, 2), () -> log.add("undo 1"), () -> log.add("after 1"));
            commits.commitAfterPrevious(page(3), () -> log.add("undo 2"), () -> log.add("after 2"));
            assertThat(log).containsExactly("after 1"); // page 2's commit may still be in flight
            commits.awaitCommitted();
        }

        assertThat(log).containsExactly("after 1", "after 2");
        assertThat(stored()).containsExactly(1, 2, 3);
    }

    @Test
    void aFailedCommitRollsBackThePageAfterItAndTakesBackBoth() {
        PageCommits commits = new PageCommits(Map.of());
        commits.commitAfterPrevious(page(1, 1), () -> log.add("undo 1"), () -> log.add("after 1")); // fails at commit
        Handle second = page(2);

        assertThatThrownBy(() -> commits.commitAfterPrevious(second, () -> log.add("undo 2"), () -> log.add("after 2")))
                .hasStackTraceContaining("page_row_id");
        commits.close();

        assertThat(log).containsExactly("undo 1", "undo 2");
        assertThat(second.isClosed()).isTrue();
        assertThat(stored()).isEmpty(); // page 2 was never committed, though its own rows were fine
    }

    @Test
    void closingWaitsForTheCommitInFlight() {
        try (PageCommits commits = new PageCommits(Map.of())) {
            commits.commitAfterPrevious(page(7), () -> log.add("undo"), () -> log.add("after"));
        }

        assertThat(log).containsExactly("after");
        assertThat(stored()).containsExactly(7);
    }
}
