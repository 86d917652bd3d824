package io.commitviewer.project.project;

import java.time.Duration;

/**
 * A request over a limit: one key's quota (429) or the service's admission bound (503). Either
 * way it says which limit, its value, and when trying again makes sense.
 */
public class LimitExceededException extends RuntimeException {

    /** Whose limit. */
    public enum Scope { KEY_QUOTA, ADMISSION }

    private final Scope scope;
    private final String limit;
    private final long value;
    private final Duration retryAfter;

    LimitExceededException(Scope scope, String limit, long value, Duration retryAfter, String message) {
        super(message);
        this.scope = scope;
        this.limit = limit;
        this.value = value;
        this.retryAfter = retryAfter;
    }

    public Scope scope() {
        return scope;
    }

    /** The setting's name, e.g. {@code refreshes-per-key-per-hour}. */
    public String limit() {
        return limit;
    }

    public long value() {
        return value;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
