package io.commitviewer.common.git;

import java.time.Duration;

/** Told about every git command when it ends (for metrics), with git's subcommand and the outcome. */
@FunctionalInterface
public interface CommandObserver {

    CommandObserver NONE = (command, duration, outcome) -> { };

    /**
     * @param command git's subcommand ({@code clone}, {@code fetch}, {@code log}, …)
     * @param outcome {@code ok}, a {@link FailureReason} name, or {@code error} (the reader of the output failed)
     */
    void finished(String command, Duration duration, String outcome);
}
