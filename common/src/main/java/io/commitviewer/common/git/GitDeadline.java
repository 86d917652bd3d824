package io.commitviewer.common.git;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * A deadline for every git command the current thread runs within {@link #within}: each
 * command's timeout is the smaller of its own ({@link GitSettings#commandTimeout()}) and what is
 * left until the deadline, so that all of a fetch's commands together end by its deadline. A
 * command started after the deadline fails at once as {@link FailureReason#TIMEOUT}.
 */
public final class GitDeadline {

    private static final ThreadLocal<Long> DEADLINE_NANOS = new ThreadLocal<>();

    private GitDeadline() {
    }

    /** Runs {@code work} with every git command of this thread ending by {@code deadlineNanos} ({@link System#nanoTime()}). */
    public static <T> T within(long deadlineNanos, Supplier<T> work) {
        Long outer = DEADLINE_NANOS.get();
        DEADLINE_NANOS.set(outer == null ? deadlineNanos : Math.min(outer, deadlineNanos));
        try {
            return work.get();
        } finally {
            if (outer == null) {
                DEADLINE_NANOS.remove();
            } else {
                DEADLINE_NANOS.set(outer);
            }
        }
    }

    /** The timeout of a command: {@code timeout}, or less if the deadline comes first; throws if it passed. */
    static Duration cap(Duration timeout, String command) {
        Long deadline = DEADLINE_NANOS.get();
        if (deadline == null) {
            return timeout;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new GitException(FailureReason.TIMEOUT, "the fetch ran out of time before git " + command);
        }
        return left < timeout.toNanos() ? Duration.ofNanos(left) : timeout;
    }
}
