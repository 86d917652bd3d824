package io.commitviewer.commit.fetch;

import io.commitviewer.commit.mirror.MirrorCache;
import io.commitviewer.commit.store.CommitStore;
import io.commitviewer.common.git.GitCommit;
import io.commitviewer.common.url.RepositoryUrl;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first look of a project's first fetch (ADR 0012): beside the whole clone, a shallow clone of
 * every branch's newest {@link #COMMITS} generations, whose newest {@link #COMMITS} commits in git's
 * order are written as the attempt's own and named in the {@code firstLooks} collection, so that
 * the listing shows them while the rest comes. Best effort: a first look that fails or comes too
 * late changes nothing but the wait. It never writes after {@link #close} returns, which the
 * attempt calls before its commit point or its take-back.
 */
final class FirstLook implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FirstLook.class);

    static final int COMMITS = io.commitviewer.commit.store.FirstLooks.COMMITS;

    private final AtomicBoolean closed = new AtomicBoolean();
    private final Future<Long> written;

    /**
     * Starts the first look of {@code url} on {@code executor}: its commits go through
     * {@code writer} (the attempt's own writes), then their shas to the store; then {@code served}
     * is told.
     */
    FirstLook(ExecutorService executor, MirrorCache mirrors, CommitStore store, RepositoryUrl url, String projectId, String attempt,
            long token, Supplier<BatchWriter> writer, Runnable served) {
        this.written = executor.submit(() -> {
            long start = System.nanoTime();
            List<GitCommit> newest = mirrors.withShallowClone(url, COMMITS, mirror -> {
                List<GitCommit> listed = new ArrayList<>(COMMITS);
                mirror.forEachCommit(commit -> {
                    listed.add(commit);
                    return listed.size() < COMMITS && !closed.get();
                });
                return listed;
            });
            if (closed.get() || newest.isEmpty()) {
                return 0L;
            }
            long inserted;
            try (BatchWriter batch = writer.get()) {
                for (GitCommit commit : newest) {
                    batch.add(commit);
                }
                inserted = batch.finish();
            }
            store.firstLooks().write(projectId, attempt, token, newest.stream().map(GitCommit::sha).toList());
            served.run();
            log.info("First look: the newest {} commits in {} ms", newest.size(), (System.nanoTime() - start) / 1_000_000);
            return inserted;
        });
    }

    /**
     * Stops the first look where it is (a listing in progress ends; a clone in progress runs to its
     * end, bounded by git's own timeout) and waits for it: nothing it would write lands after this
     * returns.
     */
    @Override
    public void close() {
        long inserted = closeAndCount();
        if (inserted > 0) {
            log.debug("First look inserted {} commits", inserted);
        }
    }

    /** {@link #close()}, returning the commits the first look inserted (the attempt counts them as new). */
    long closeAndCount() {
        if (closed.getAndSet(true) && written.isDone()) {
            return 0;
        }
        written.cancel(false); // one not started yet never starts; one running runs to its end
        boolean interrupted = false;
        while (true) {
            try {
                return written.get();
            } catch (InterruptedException e) {
                interrupted = true; // the wait outlasts an interrupt: nothing may land after close
            } catch (java.util.concurrent.CancellationException e) {
                return 0;
            } catch (java.util.concurrent.ExecutionException e) {
                log.info("No first look: {}", e.getCause().toString());
                return 0;
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
