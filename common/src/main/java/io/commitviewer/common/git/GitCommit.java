package io.commitviewer.common.git;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One commit as {@code git log} reports it.
 *
 * @param truncated the fields cut at their cap ({@code message}, {@code author.name},
 *                  {@code author.email}, {@code committer.name}, {@code committer.email},
 *                  {@code parents}; see {@link GitLogParser}); empty for almost every commit
 * @param clamped   the dates clamped into the years 0000–9999 or to UTC ({@code author.date},
 *                  {@code committer.date})
 */
public record GitCommit(String sha, List<String> parents, Signature author, Signature committer, String message,
        Set<String> truncated, Set<String> clamped) {

    public GitCommit {
        truncated = truncated.isEmpty() ? Set.of() : Collections.unmodifiableSet(new LinkedHashSet<>(truncated));
        clamped = clamped.isEmpty() ? Set.of() : Collections.unmodifiableSet(new LinkedHashSet<>(clamped));
    }

    /** True when the message was cut at {@link GitSettings#maxMessageBytes()}. */
    public boolean messageTruncated() {
        return truncated.contains("message");
    }
}
