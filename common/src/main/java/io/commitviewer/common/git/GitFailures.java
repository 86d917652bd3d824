package io.commitviewer.common.git;

import java.util.Locale;

/** Classifies what git wrote on stderr into a {@link FailureReason} and one line for a user. */
final class GitFailures {

    private GitFailures() {
    }

    static FailureReason classify(String stderr) {
        String text = stderr.toLowerCase(Locale.ROOT);
        if (text.contains("no space left on device") || text.contains("disk quota exceeded")) {
            return FailureReason.DISK_FULL;
        }
        if (text.contains("returned error: 429")) {
            return FailureReason.RATE_LIMITED;
        }
        if (text.contains("repository not found") || (text.contains("repository '") && text.contains("' not found"))
                || text.contains("returned error: 404") || text.contains("does not appear to be a git repository")) {
            return FailureReason.REPOSITORY_NOT_FOUND;
        }
        if (text.contains("could not read username") || text.contains("could not read password")
                || text.contains("authentication failed") || text.contains("returned error: 401")
                || text.contains("returned error: 403") || text.contains("terminal prompts disabled")
                || text.contains("permission denied")) {
            return FailureReason.ACCESS_DENIED;
        }
        if (text.contains("operation too slow") || text.contains("timed out") || text.contains("timeout")) {
            return FailureReason.TIMEOUT;
        }
        if (text.contains("could not resolve host") || text.contains("failed to connect")
                || text.contains("connection refused") || text.contains("couldn't connect")
                || text.contains("network is unreachable") || text.contains("no route to host")
                || text.contains("connection reset") || text.contains("returned error: 5")
                || text.contains("ssl certificate") || text.contains("gnutls")) {
            return FailureReason.UNREACHABLE;
        }
        return FailureReason.GIT_ERROR;
    }

    /** The most telling line of git's stderr, without the "fatal: " prefix. */
    static String summary(String stderr) {
        String best = null;
        for (String line : stderr.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("fatal:") || trimmed.startsWith("error:")) {
                best = trimmed.substring(trimmed.indexOf(':') + 1).strip();
                if (trimmed.startsWith("fatal:")) {
                    break;
                }
            } else if (best == null && !trimmed.isEmpty() && !trimmed.startsWith("hint:")) {
                best = trimmed;
            }
        }
        if (best == null) {
            return "git failed without a message";
        }
        return best.length() > 300 ? best.substring(0, 300) + "…" : best;
    }
}
