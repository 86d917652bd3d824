package io.commitviewer.commit.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Issue 23, finding 8: one holder per project within an instance, and a wait that ends. */
class ProjectLocksTests {

    /**
     * Threads that take and give back one project's lock over and over: never two inside at once,
     * also while the lock's entry is dropped and made anew (the race of a removal after unlock
     * with a new taker let two threads hold "the" lock).
     */
    @Test
    void neverTwoHoldersOfOneProjectAtOnce() throws Exception {
        ProjectLocks locks = new ProjectLocks();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger entered = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 50_000; i++) {
                    locks.withLock("p", Duration.ofMinutes(1), () -> {
                        entered.incrementAndGet();
                        if (inside.incrementAndGet() > 1) {
                            overlaps.incrementAndGet();
                        }
                        Thread.onSpinWait();
                        inside.decrementAndGet();
                        return null;
                    });
                }
            });
            thread.start();
            threads.add(thread);
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(entered.get()).isEqualTo(200_000);
        assertThat(overlaps.get()).isZero();
        assertThat(locks.size()).as("entries nobody holds or waits for are forgotten").isZero();
    }

    @Test
    void aWaitLongerThanAllowedEndsInLeaseBusy() throws Exception {
        ProjectLocks locks = new ProjectLocks();
        try (HeldLock held = HeldLock.of(locks, "p")) {
            assertThatThrownBy(() -> locks.withLock("p", Duration.ofMillis(200), () -> null)).isInstanceOf(LeaseBusyException.class);
        }
        assertThat(locks.withLock("p", Duration.ofMillis(200), () -> "free again")).isEqualTo("free again");
    }
}
