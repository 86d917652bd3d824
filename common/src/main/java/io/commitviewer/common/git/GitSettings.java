package io.commitviewer.common.git;

import io.commitviewer.common.url.AllowedOrigins;
import java.time.Duration;
import java.util.Objects;

/**
 * How git is run.
 *
 * @param executable            the git binary
 * @param commandTimeout        the longest any one git command may run before its process tree is killed
 * @param allowedOrigins        where repositories may come from; also decides {@code GIT_ALLOW_PROTOCOL}
 * @param lowSpeedLimitBytes    an HTTP transfer slower than this ...
 * @param lowSpeedTime          ... for this long is aborted
 * @param maxMessageBytes       commit messages longer than this are cut (and flagged)
 * @param observer              told about every command that ends
 * @param disk                  what a clone or fetch may take of the disk it writes to
 */
public record GitSettings(String executable, Duration commandTimeout, AllowedOrigins allowedOrigins,
        int lowSpeedLimitBytes, Duration lowSpeedTime, int maxMessageBytes, CommandObserver observer, DiskLimits disk) {

    /**
     * Watched while git writes a mirror: beyond {@code maxCloneBytes} in a new clone the clone is
     * stopped as {@link FailureReason#TOO_LARGE}; with less than {@code minFreeBytes} left on the
     * disk a clone or fetch is stopped as {@link FailureReason#DISK_FULL}.
     */
    public record DiskLimits(long maxCloneBytes, long minFreeBytes) {
        public static final DiskLimits NONE = new DiskLimits(Long.MAX_VALUE, 0);

        public DiskLimits {
            if (maxCloneBytes < 1 || minFreeBytes < 0) {
                throw new IllegalArgumentException("maxCloneBytes must be positive and minFreeBytes not negative");
            }
        }
    }

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1 << 20;

    public GitSettings {
        Objects.requireNonNull(executable, "executable");
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        Objects.requireNonNull(allowedOrigins, "allowedOrigins");
        Objects.requireNonNull(lowSpeedTime, "lowSpeedTime");
        Objects.requireNonNull(observer, "observer");
        Objects.requireNonNull(disk, "disk");
        if (commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new IllegalArgumentException("commandTimeout must be positive");
        }
        if (maxMessageBytes < 1) {
            throw new IllegalArgumentException("maxMessageBytes must be positive");
        }
    }

    public static GitSettings defaults(AllowedOrigins allowedOrigins) {
        return new GitSettings("git", DEFAULT_TIMEOUT, allowedOrigins, 1000, Duration.ofSeconds(30),
                DEFAULT_MAX_MESSAGE_BYTES, CommandObserver.NONE, DiskLimits.NONE);
    }

    public GitSettings withExecutable(String value) {
        return new GitSettings(value, commandTimeout, allowedOrigins, lowSpeedLimitBytes, lowSpeedTime,
                maxMessageBytes, observer, disk);
    }

    public GitSettings withCommandTimeout(Duration value) {
        return new GitSettings(executable, value, allowedOrigins, lowSpeedLimitBytes, lowSpeedTime, maxMessageBytes,
                observer, disk);
    }

    public GitSettings withMaxMessageBytes(int value) {
        return new GitSettings(executable, commandTimeout, allowedOrigins, lowSpeedLimitBytes, lowSpeedTime, value,
                observer, disk);
    }

    public GitSettings withObserver(CommandObserver value) {
        return new GitSettings(executable, commandTimeout, allowedOrigins, lowSpeedLimitBytes, lowSpeedTime,
                maxMessageBytes, value, disk);
    }

    public GitSettings withDisk(DiskLimits value) {
        return new GitSettings(executable, commandTimeout, allowedOrigins, lowSpeedLimitBytes, lowSpeedTime,
                maxMessageBytes, observer, value);
    }
}
