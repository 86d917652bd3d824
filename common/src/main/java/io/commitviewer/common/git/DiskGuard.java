package io.commitviewer.common.git;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What git may take of the disk while it writes a mirror ({@link GitSettings.DiskLimits}), asked
 * every half second while it runs: the staging folder of a new clone must stay under
 * {@code maxCloneBytes} ({@link FailureReason#TOO_LARGE}, not retried), and the disk must keep
 * {@code minFreeBytes} free ({@link FailureReason#DISK_FULL}, retried later).
 */
final class DiskGuard {

    private DiskGuard() {
    }

    static Supplier<GitException> forClone(GitSettings.DiskLimits limits, Path staging) {
        return () -> {
            GitException full = freeSpace(limits, staging.getParent());
            if (full != null) {
                return full;
            }
            long size = size(staging);
            return size > limits.maxCloneBytes()
                    ? new GitException(FailureReason.TOO_LARGE, "the clone passed " + size + " bytes on disk; the limit is "
                            + limits.maxCloneBytes())
                    : null;
        };
    }

    static Supplier<GitException> forFetch(GitSettings.DiskLimits limits, Path mirror) {
        return () -> freeSpace(limits, mirror);
    }

    private static GitException freeSpace(GitSettings.DiskLimits limits, Path on) {
        if (limits.minFreeBytes() == 0) {
            return null;
        }
        try {
            long free = Files.getFileStore(on).getUsableSpace();
            return free < limits.minFreeBytes()
                    ? new GitException(FailureReason.DISK_FULL, "the mirror cache's disk has " + free + " bytes free, under the "
                            + limits.minFreeBytes() + " it must keep")
                    : null;
        } catch (IOException e) {
            return null; // the folder is not there yet, or went away: git itself will say
        }
    }

    /** Bytes in the files under {@code dir}; 0 while it does not exist. */
    static long size(Path dir) {
        if (!Files.exists(dir)) {
            return 0;
        }
        AtomicLong total = new AtomicLong();
        try (Stream<Path> files = Files.walk(dir)) {
            files.forEach(file -> {
                try {
                    if (Files.isRegularFile(file)) {
                        total.addAndGet(Files.size(file));
                    }
                } catch (IOException e) {
                    // a temporary file git removed meanwhile
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a folder git removed meanwhile: count what was seen
        }
        return total.get();
    }
}
