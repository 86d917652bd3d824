package io.commitviewer.commit.store;

import java.time.Instant;
import java.util.List;

/**
 * A commit as stored ({@link Commits}).
 *
 * @param id               its key, {@code {projectId}:{sha}}: with {@code committedAt}, a listing's position
 * @param messageTruncated whether the message was cut at its cap
 * @param truncated        fields cut at their cap; empty when none
 * @param clamped          dates clamped into the years 0000–9999 or to UTC; empty when none
 */
public record StoredCommit(String id, String sha, List<String> parents, Person author, Person committer, Instant committedAt,
        String message, boolean messageTruncated, List<String> truncated, List<String> clamped) {

    /** An author or committer: the date as git gave it, in its own offset (ISO 8601). */
    public record Person(String name, String email, String date) {
    }
}
