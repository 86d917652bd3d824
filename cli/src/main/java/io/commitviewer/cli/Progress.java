package io.commitviewer.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * One progress line on stderr, rewritten in place ({@code \r}, then erased to the end of the
 * line) at most four times a second, and erased when the work ends, so that it never mixes with
 * what is printed after it. Shown only when stderr is a terminal: Java 17 cannot tell, so
 * {@code bin/commit-viewer} says so in {@link #TERMINAL} ({@code [[ -t 2 ]]}); {@code --quiet}
 * turns it off.
 */
final class Progress {

    /** Set to {@code 1} by bin/commit-viewer when stderr is a terminal. */
    static final String TERMINAL = "COMMITVIEWER_STDERR_IS_TERMINAL";
    /** Set to {@code 1} by bin/commit-viewer when stdout is a terminal too: the commits then take the line over. */
    static final String OUTPUT_TERMINAL = "COMMITVIEWER_STDOUT_IS_TERMINAL";
    private static final long INTERVAL_NANOS = 250_000_000L;
    private static final String ERASE = "\r\u001b[K";

    private final PrintStream stderr;
    private boolean enabled;
    private long lastShown;
    private boolean shown;

    private Progress(PrintStream stderr, boolean enabled) {
        this.stderr = stderr;
        this.enabled = enabled;
    }

    static Progress on(PrintStream stderr, boolean enabled) {
        return new Progress(stderr, enabled);
    }

    void show(String text) {
        if (enabled) {
            stderr.print(ERASE + "commit-viewer: " + text);
            stderr.flush();
            shown = true;
            lastShown = System.nanoTime();
        }
    }

    /** {@code listed} commits printed so far; shown at most every 250 ms. */
    void count(long listed) {
        if (enabled && System.nanoTime() - lastShown >= INTERVAL_NANOS) {
            show(String.format(Locale.ROOT, "listed %,d commits …", listed));
        }
    }

    /** Erases the line and shows nothing more (the commits are printed on the same terminal). */
    void stop() {
        clear();
        enabled = false;
    }

    void clear() {
        if (enabled && shown) {
            stderr.print(ERASE);
            stderr.flush();
            shown = false;
        }
    }
}
