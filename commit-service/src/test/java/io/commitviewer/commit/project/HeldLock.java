package io.commitviewer.commit.project;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/** For tests: another thread of this instance holds a project's lock until closed. */
public final class HeldLock implements AutoCloseable {

    private final CountDownLatch release = new CountDownLatch(1);
    private final Thread holder;

    private HeldLock(ProjectLocks locks, String projectId) throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        holder = new Thread(() -> locks.withLock(projectId, Duration.ofSeconds(5), () -> {
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }), "held-lock-" + projectId);
        holder.start();
        held.await();
    }

    /** Returns once the lock is held. */
    public static HeldLock of(ProjectLocks locks, String projectId) throws InterruptedException {
        return new HeldLock(locks, projectId);
    }

    @Override
    public void close() throws InterruptedException {
        release.countDown();
        holder.join();
    }
}
