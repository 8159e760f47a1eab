package dev.junction.core.internal.webhook;

import dev.junction.core.internal.store.WebhookRepository;
import dev.junction.core.internal.store.WebhookRepository.NewInboxRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores verified webhook events in the inbox with group commit: concurrent requests queue their rows, one writer
 * thread inserts whatever has queued (up to {@code maxBatch} rows) in one transaction, commits, and only then completes
 * each waiting request. A request's rows always travel in the same batch. A batch that fails fails every request in
 * it, so nothing is acknowledged that is not durable.
 *
 * <p>The writer does not wait for a batch to fill: it takes what queued while the previous commit ran (so a lone
 * webhook waits for its own commit only), and lingers up to {@code linger} for more only when that is configured. With
 * {@code maxBatch} 1 every request commits on its own, in its own thread (the reference: one commit per webhook).
 *
 * <p>Thread-safe.
 */
final class InboxWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InboxWriter.class);
    private static final Duration WAIT_LIMIT = Duration.ofSeconds(30);

    private final WebhookRepository repository;
    private final int maxBatch;
    private final long lingerNanos;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean closed;

    private record Pending(List<NewInboxRow> rows, CompletableFuture<boolean[]> done) {
    }

    InboxWriter(WebhookRepository repository, int maxBatch, Duration linger) {
        this.repository = repository;
        this.maxBatch = maxBatch;
        this.lingerNanos = linger.toNanos();
        if (maxBatch > 1) {
            writer = new Thread(this::run, "junction-webhook-inbox");
            writer.setDaemon(true);
            writer.start();
        } else {
            writer = null;
        }
    }

    /**
     * Stores {@code rows} and returns, per row, whether it was new (false: a duplicate); returns only once they are
     * committed. Throws when the batch they were written in failed: then none of them is stored.
     */
    boolean[] write(List<NewInboxRow> rows) {
        if (rows.isEmpty()) return new boolean[0];
        if (writer == null) {
            return repository.insertInboxBatch(rows);
        }
        if (closed) {
            throw new IllegalStateException("the webhook inbox writer is closed");
        }
        Pending pending = new Pending(List.copyOf(rows), new CompletableFuture<>());
        queue.add(pending);
        if (closed && queue.remove(pending)) {
            throw new IllegalStateException("the webhook inbox writer is closed");
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return pending.done().get(WAIT_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    // Not known to be durable, so not acknowledged: the provider retries, and the dedupe key makes
                    // the retry a duplicate if the rows did commit after all.
                    throw new IllegalStateException("webhook inbox write did not finish within " + WAIT_LIMIT.toSeconds() + " s");
                } catch (InterruptedException e) {
                    interrupted = true; // the rows may already be committing: the answer must wait for the outcome
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException runtime) throw runtime;
                    throw new IllegalStateException("webhook inbox write failed", cause);
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        List<NewInboxRow> rows = new ArrayList<>();
        while (true) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closed) break;
                    continue;
                }
                batch.add(first);
                rows.addAll(first.rows());
                collect(batch, rows);
            } catch (InterruptedException e) {
                if (closed) break;
                continue;
            }
            commit(batch, rows);
            batch.clear();
            rows.clear();
        }
        failAll(new IllegalStateException("the webhook inbox writer is closed"));
    }

    /** Adds what has queued meanwhile, up to the row limit, lingering for more when configured. */
    private void collect(List<Pending> batch, List<NewInboxRow> rows) throws InterruptedException {
        long deadline = System.nanoTime() + lingerNanos;
        while (rows.size() < maxBatch) {
            Pending next = queue.peek();
            if (next == null && lingerNanos > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return;
                next = queue.poll(left, TimeUnit.NANOSECONDS);
                if (next == null) return;
                if (rows.size() + next.rows().size() > maxBatch) {
                    commitFirst(next, batch, rows);
                    return;
                }
                batch.add(next);
                rows.addAll(next.rows());
                continue;
            }
            if (next == null || rows.size() + next.rows().size() > maxBatch) return;
            queue.poll();
            batch.add(next);
            rows.addAll(next.rows());
        }
    }

    /** A lingering poll took a request that does not fit: it goes back to the head of the line after this batch. */
    private void commitFirst(Pending next, List<Pending> batch, List<NewInboxRow> rows) {
        commit(batch, rows);
        batch.clear();
        rows.clear();
        batch.add(next);
        rows.addAll(next.rows());
    }

    private void commit(List<Pending> batch, List<NewInboxRow> rows) {
        if (batch.isEmpty()) return;
        boolean[] stored;
        try {
            stored = repository.insertInboxBatch(rows);
        } catch (RuntimeException | Error e) {
            LOG.warn("a batch of {} webhook events ({} requests) could not be stored: {}", rows.size(), batch.size(), e.toString());
            for (Pending pending : batch) {
                pending.done().completeExceptionally(new IllegalStateException("webhook inbox write failed", e));
            }
            if (e instanceof Error error) {
                closed = true; // the writer cannot go on: later requests fail at once instead of waiting
                failAll(new IllegalStateException("the webhook inbox writer stopped", error));
                throw error;
            }
            return;
        }
        int offset = 0;
        for (Pending pending : batch) {
            boolean[] own = new boolean[pending.rows().size()];
            System.arraycopy(stored, offset, own, 0, own.length);
            offset += own.length;
            pending.done().complete(own);
        }
    }

    private void failAll(RuntimeException error) {
        Pending left;
        while ((left = queue.poll()) != null) {
            left.done().completeExceptionally(error);
        }
    }

    /** Stops the writer after the batch in flight; requests still queued fail (nothing of theirs was stored). */
    @Override
    public void close() {
        closed = true;
        if (writer == null) return;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failAll(new IllegalStateException("the webhook inbox writer is closed"));
    }
}
