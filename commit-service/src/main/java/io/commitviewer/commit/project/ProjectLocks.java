package io.commitviewer.commit.project;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One lock per project, shared by fetching and deleting, so that a deletion waits for a fetch in
 * progress instead of racing it. Within one instance: several replicas need a lease in the store.
 */
public class ProjectLocks {

    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    public <T> T withLock(String projectId, Supplier<T> work) {
        ReentrantLock lock = locks.computeIfAbsent(projectId, id -> new ReentrantLock());
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
            // forget locks nobody holds or waits for, so the map does not grow with every project ever seen
            if (!lock.isLocked() && !lock.hasQueuedThreads()) {
                locks.remove(projectId, lock);
            }
        }
    }
}
