package io.commitviewer.project.project;

import java.time.Duration;

/**
 * Where a key stands against one of its quotas, as the IETF RateLimit header fields say it
 * (draft-ietf-httpapi-ratelimit-headers): {@code RateLimit-Policy: "name";q=QUOTA;w=WINDOW} and
 * {@code RateLimit: "name";r=REMAINING;t=SECONDS}, the policy named after the setting.
 *
 * @param window the quota's window; null for a quota that is not a rate (projects owned, fetches in progress)
 * @param reset  when more of the quota is available again (for a used-up quota not in a window: when trying again makes sense)
 */
public record RateLimit(String name, long quota, Duration window, long remaining, Duration reset) {

    public static final String POLICY_HEADER = "RateLimit-Policy";
    public static final String HEADER = "RateLimit";

    /** {@code "name";q=20;w=3600}. */
    public String policy() {
        return "\"" + name + "\";q=" + quota + (window == null ? "" : ";w=" + window.toSeconds());
    }

    /** {@code "name";r=17;t=2400}; seconds rounded up, at least 1 when something is to wait for. */
    public String state() {
        long seconds = reset.isNegative() ? 0 : reset.toSeconds() + (reset.toNanosPart() > 0 ? 1 : 0);
        return "\"" + name + "\";r=" + Math.max(0, remaining) + ";t=" + seconds;
    }
}
