package io.commitviewer.commit.project;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One lock per project, shared by fetching and deleting, so that a deletion waits for a fetch in
 * progress instead of racing it. Within one instance: several replicas need a lease in the store.
 * An entry counts the threads that hold or wait for it, changed only inside the map's atomic
 * {@code compute}, so that it is forgotten exactly when the last of them leaves and a newcomer
 * never gets a lock of its own beside one still held (issue 23, finding 8).
 */
public class ProjectLocks {

    private final ConcurrentHashMap<String, Entry> locks = new ConcurrentHashMap<>();

    private static final class Entry {
        private final ReentrantLock lock = new ReentrantLock(true);
        private int users; // guarded by the map's compute on this entry's key
    }

    /**
     * Runs {@code work} holding the project's lock, waiting at most {@code wait} for another
     * thread of this instance to finish with it; throws {@link LeaseBusyException} if it does not.
     */
    public <T> T withLock(String projectId, Duration wait, Supplier<T> work) {
        Entry entry = locks.compute(projectId, (id, existing) -> {
            Entry used = existing != null ? existing : new Entry();
            used.users++;
            return used;
        });
        try {
            if (!entry.lock.tryLock(Math.max(0, wait.toNanos()), TimeUnit.NANOSECONDS)) {
                throw new LeaseBusyException(projectId, wait);
            }
            try {
                return work.get();
            } finally {
                entry.lock.unlock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LeaseBusyException(projectId, wait);
        } finally {
            // forget entries nobody holds or waits for, so the map does not grow with every project ever seen
            locks.compute(projectId, (id, existing) -> --existing.users == 0 ? null : existing);
        }
    }

    /** Projects whose lock is held or waited for now. */
    int size() {
        return locks.size();
    }
}
