package dev.junction.core.internal.sync;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits a pass's pages in order on a thread of its own, so that a page's commit (its WAL flush) overlaps the next
 * page's statements instead of holding up the sync thread. One commit is in flight at a time: a page's transaction
 * is handed over only after the page before it is durable, and if that commit failed, the page is rolled back and
 * the failure thrown, so a checkpoint is never durable ahead of the pages before it. Each page is still one
 * transaction with its checkpoint. Used by one sync thread; the handed-over handle belongs to the committer after.
 */
final class PageCommits implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PageCommits.class);

    private final ExecutorService committer;
    private Future<?> inFlight;
    private Runnable undoInFlight;
    private Runnable afterInFlight;

    /** @param logIds the run's log context, for anything the committer thread logs */
    PageCommits(Map<String, String> logIds) {
        this.committer = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(() -> {
                if (logIds != null) {
                    org.slf4j.MDC.setContextMap(logIds);
                }
                task.run();
            }, "junction-commit");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Waits until the page before is durable, then starts committing {@code handle}'s transaction and returns. Should
     * the page before have failed to commit, {@code handle} is rolled back, {@code undo} run and the failure thrown.
     * Once this page's commit is known to have succeeded (at the next call, or {@link #awaitCommitted}),
     * {@code afterCommit} runs on the calling thread; if it fails, {@code undo} does.
     */
    void commitAfterPrevious(Handle handle, Runnable undo, Runnable afterCommit) {
        try {
            awaitCommitted();
        } catch (RuntimeException | Error e) {
            rollBack(handle);
            undo.run();
            throw e;
        }
        undoInFlight = undo;
        afterInFlight = afterCommit;
        inFlight = committer.submit(() -> {
            try {
                handle.commit();
            } catch (RuntimeException e) {
                rollBack(handle);
                throw e;
            } finally {
                handle.close();
            }
        });
    }

    /** Waits for the commit in flight, if any: runs its after-commit action, or its undo and throws its failure. */
    void awaitCommitted() {
        if (inFlight == null) {
            return;
        }
        Future<?> commit = inFlight;
        Runnable undo = undoInFlight;
        Runnable after = afterInFlight;
        inFlight = null;
        undoInFlight = null;
        afterInFlight = null;
        Throwable failure = join(commit);
        if (failure == null) {
            after.run();
            return;
        }
        undo.run();
        if (failure instanceof RuntimeException runtime) throw runtime;
        if (failure instanceof Error error) throw error;
        throw new IllegalStateException(failure);
    }

    /** Waits for the commit in flight (a commit is never abandoned half-way), then stops the committer thread. */
    @Override
    public void close() {
        try {
            awaitCommitted();
        } catch (RuntimeException e) {
            LOG.debug("a page's commit failed while the pass was ending: {}", e.getMessage());
        } finally {
            committer.shutdown();
        }
    }

    /** The commit's failure, or null; waits through interrupts (and restores the flag), as the handle must come back. */
    private static Throwable join(Future<?> commit) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    commit.get();
                    return null;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    return e.getCause();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Rolls back and closes a page's handle, quietly: the original failure is the one to report. */
    static void rollBack(Handle handle) {
        try {
            handle.rollback();
        } catch (RuntimeException e) {
            LOG.debug("rolling back a page failed: {}", e.getMessage());
        } finally {
            try {
                handle.close();
            } catch (RuntimeException e) {
                LOG.debug("closing a page's connection failed: {}", e.getMessage());
            }
        }
    }
}
