package io.commitviewer.commit.fetch;

import io.commitviewer.commit.store.Commits;
import io.commitviewer.common.git.GitCommit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.bson.Document;

/**
 * Turns streamed commits into unordered bulk inserts on a second thread, so that parsing
 * {@code git log} and writing to MongoDB overlap. At most two batches wait between them, so
 * memory stays flat whatever the history size; a write failure stops the parsing side.
 */
final class BatchWriter implements AutoCloseable {

    private static final List<Document> END = List.of();

    private final Commits store;
    private final String projectId;
    private final String attempt;
    private final long token;
    private final java.util.function.Predicate<String> adopt;
    private final int batchSize;
    private final Runnable fence;
    private final long fenceEveryNanos;
    private final java.util.function.LongSupplier clock;
    private long fenceCheckedAt;
    private final BlockingQueue<List<Document>> queue = new ArrayBlockingQueue<>(2);
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final AtomicLong inserted = new AtomicLong();
    private final Thread thread;
    private List<Document> batch;

    /**
     * @param attempt the attempt the commits are written by, under the lease {@code token}
     * @param adopt   which commits already stored the attempt makes its own (see {@link Commits#insert(List, String, long, java.util.function.Predicate)})
     * @param fence   run after a batch when {@code fenceEvery} has passed since it last ran: throws if the project is no
     *                longer this writer's (deleted, or claimed by a later writer). A pause makes that time pass, so a
     *                writer paused past its lease stops within a batch of resuming; a writer that is not paused pays
     *                one read per {@code fenceEvery}, not one per batch on the store's busiest path
     */
    BatchWriter(Commits store, String projectId, String attempt, long token, java.util.function.Predicate<String> adopt,
            int batchSize, Runnable fence, java.time.Duration fenceEvery) {
        this(store, projectId, attempt, token, adopt, batchSize, fence, fenceEvery, System::nanoTime);
    }

    /** With the clock the fence's interval is measured on ({@link System#nanoTime()}; tests move one of their own). */
    BatchWriter(Commits store, String projectId, String attempt, long token, java.util.function.Predicate<String> adopt,
            int batchSize, Runnable fence, java.time.Duration fenceEvery, java.util.function.LongSupplier clock) {
        this.store = store;
        this.projectId = projectId;
        this.attempt = attempt;
        this.token = token;
        this.adopt = adopt;
        this.batchSize = batchSize;
        this.fence = fence;
        this.fenceEveryNanos = fenceEvery.toNanos();
        this.clock = clock;
        this.fenceCheckedAt = clock.getAsLong();
        this.batch = new ArrayList<>(batchSize);
        this.thread = new Thread(this::drain, "commit-writer-" + projectId);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    void add(GitCommit commit) throws InterruptedException {
        RuntimeException error = failure.get();
        if (error != null) {
            throw error;
        }
        batch.add(Commits.toDocument(projectId, attempt, token, commit));
        if (batch.size() == batchSize) {
            queue.put(batch);
            batch = new ArrayList<>(batchSize);
        }
    }

    /** Writes what is left and waits for the writer; returns the number of commits that were new. */
    long finish() throws InterruptedException {
        if (!batch.isEmpty()) {
            queue.put(batch);
            batch = new ArrayList<>(0);
        }
        queue.put(END);
        thread.join();
        RuntimeException error = failure.get();
        if (error != null) {
            throw error;
        }
        return inserted.get();
    }

    private void drain() {
        try {
            while (true) {
                List<Document> next = queue.take();
                if (next == END) {
                    return;
                }
                if (failure.get() == null) {
                    inserted.addAndGet(store.insert(next, attempt, token, adopt));
                    if (clock.getAsLong() - fenceCheckedAt >= fenceEveryNanos) {
                        fence.run();
                        fenceCheckedAt = clock.getAsLong();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure.set(e);
            // keep taking so that the producer never blocks on a full queue
            while (true) {
                try {
                    if (queue.take() == END) {
                        return;
                    }
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Abandons what is queued and waits for a write in progress, so nothing lands after this
     * returns (a rollback after it cannot be undone by a late batch). The wait is bounded by the
     * MongoDB driver's own timeouts (server selection, connection pool wait, and the socket read
     * timeout {@code commitviewer.mongo.socket-timeout}), and it outlasts an interrupt: the
     * interrupt is kept for the caller once the writer has stopped.
     */
    @Override
    public void close() {
        if (!thread.isAlive()) {
            return;
        }
        queue.clear();
        queue.offer(END);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
