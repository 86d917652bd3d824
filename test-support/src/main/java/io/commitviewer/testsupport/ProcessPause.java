package io.commitviewer.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Pauses a process (SIGSTOP) until {@link #close} resumes it (SIGCONT): a stop-the-world pause,
 * a VM migration or a starved container, as its peers see it — its sockets stay open and say
 * nothing. Use in try-with-resources so that a failing test never leaves a process stopped.
 */
public final class ProcessPause implements AutoCloseable {

    private final long pid;
    private boolean resumed;

    private ProcessPause(long pid) {
        this.pid = pid;
        signal("STOP");
    }

    /** Stops {@code process} now. */
    public static ProcessPause of(ProcessHandle process) {
        return new ProcessPause(process.pid());
    }

    /** Lets the process run again (idempotent; nothing to do for a process killed meanwhile). */
    @Override
    public void close() {
        if (!resumed) {
            resumed = true;
            try {
                signal("CONT");
            } catch (IllegalStateException e) {
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    throw e;
                }
            }
        }
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + name + " " + pid + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + pid, e);
        }
    }
}
