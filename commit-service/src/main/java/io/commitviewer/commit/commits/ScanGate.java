package io.commitviewer.commit.commits;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Bounds the scans of a project's commits that a read can start — a new search, a project's
 * people — to a few at once per instance: reads are anonymous, and each distinct search text costs
 * one scan before it is kept (ADR 0011). A read that finds every slot taken for {@code wait} gets
 * a 503 ({@link ScansBusyException}) with {@code Retry-After}, rather than queueing scans behind scans.
 */
final class ScanGate {

    private final Semaphore slots;
    private final int size;
    private final Duration wait;

    ScanGate(int size, Duration wait) {
        this.slots = new Semaphore(size, true);
        this.size = size;
        this.wait = wait;
    }

    <V> V scan(Supplier<V> scan) {
        boolean acquired;
        try {
            acquired = slots.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ScansBusyException(size);
        }
        if (!acquired) {
            throw new ScansBusyException(size);
        }
        try {
            return scan.get();
        } finally {
            slots.release();
        }
    }
}
