package io.commitviewer.common.retry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * The one back-off both services wait before trying again: {@code first}, doubling after each
 * failed try, at most {@code max}, ±20 % jitter (so that instances that failed together do not try
 * again in step), never under {@code floor}. commit-service's fetches (between attempts) and
 * project-service's outbox relay (between publications of a row) use it; the consumers' retries
 * are Spring AMQP's, configured with the same shape.
 *
 * @param first  the wait after the first failed try
 * @param max    the longest wait
 * @param floor  the shortest wait, jitter included
 * @param jitter a number in [-1, 1] per wait ({@link #randomJitter()}; tests give a fixed one)
 */
public record Backoff(Duration first, Duration max, Duration floor, DoubleSupplier jitter) {

    /** Uniform in [-1, 1]. */
    public static DoubleSupplier randomJitter() {
        return () -> ThreadLocalRandom.current().nextDouble() * 2 - 1;
    }

    /** The wait before try {@code failedTries + 1} (1 for the wait after the first failure). */
    public Duration after(int failedTries) {
        long base = Math.min(max.toMillis(), first.toMillis() << Math.min(Math.max(failedTries, 1) - 1, 20));
        long jittered = base + Math.round(base * 0.2 * jitter.getAsDouble());
        return Duration.ofMillis(Math.max(floor.toMillis(), jittered));
    }
}
