package io.commitviewer.commit.commits;

import io.commitviewer.commit.store.StoredCommit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Commits as stored, by their key ({@code projectId:sha}), kept for reads: a commit never changes,
 * so the pages asked most read no store. Bounded in bytes, least recently used out. It says what a
 * commit is, never whether a project holds it: that is the served graph's to say (a listing's ranks,
 * a sha the graph names), so an entry of a deleted project or of a fetch that was taken back is
 * never served — it only waits to be pushed out.
 */
final class CommitCache {

    private final long maxBytes;
    private final Map<String, StoredCommit> entries = new LinkedHashMap<>(1024, 0.75f, true);
    private long bytes;

    CommitCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    synchronized StoredCommit get(String id) {
        return entries.get(id);
    }

    synchronized void put(StoredCommit commit) {
        long size = bytesOf(commit);
        if (size > maxBytes) {
            return;
        }
        StoredCommit previous = entries.put(commit.id(), commit);
        bytes += size - (previous == null ? 0 : bytesOf(previous));
        var eldest = entries.values().iterator();
        while (bytes > maxBytes && eldest.hasNext()) {
            bytes -= bytesOf(eldest.next());
            eldest.remove();
        }
    }

    /** Bytes held now. */
    synchronized long bytes() {
        return bytes;
    }

    /** About what a commit holds on the heap: its strings (two bytes a character at most) and the objects around them. */
    static long bytesOf(StoredCommit commit) {
        long characters = commit.id().length() + commit.sha().length() + commit.message().length()
                + person(commit.author()) + person(commit.committer());
        return 320 + 2 * characters + 88L * commit.parents().size() + 48L * (commit.truncated().size() + commit.clamped().size());
    }

    private static long person(StoredCommit.Person person) {
        return person == null ? 0 : 120 + length(person.name()) + length(person.email()) + length(person.date());
    }

    private static int length(String text) {
        return text == null ? 0 : text.length();
    }
}
