package io.commitviewer.project.project;

import java.time.Duration;

/**
 * A request over a limit: one key's quota (429) or the service's admission bound (503). Either
 * way it says which limit, its value, and when trying again makes sense.
 */
public class LimitExceededException extends RuntimeException {

    /** Whose limit: a key's quota and a client address's cap are 429, the service's admission bound 503. */
    public enum Scope { KEY_QUOTA, CLIENT, ADMISSION }

    private final Scope scope;
    private final String limit;
    private final long value;
    private final Duration retryAfter;
    private final Duration window;

    LimitExceededException(Scope scope, String limit, long value, Duration retryAfter, String message) {
        this(scope, limit, value, null, retryAfter, message);
    }

    /** @param window the limit's window, for a rate (refreshes per hour); null otherwise */
    LimitExceededException(Scope scope, String limit, long value, Duration window, Duration retryAfter, String message) {
        super(message);
        this.scope = scope;
        this.limit = limit;
        this.value = value;
        this.window = window;
        this.retryAfter = retryAfter;
    }

    /** A key's quota as its RateLimit header fields say it: none left, more after {@link #retryAfter()}; empty for admission. */
    public java.util.Optional<RateLimit> rateLimit() {
        return scope != Scope.ADMISSION ? java.util.Optional.of(new RateLimit(limit, value, window, 0, retryAfter))
                : java.util.Optional.empty();
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
