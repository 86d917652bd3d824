package io.commitviewer.commit.commits;

import static org.assertj.core.api.Assertions.assertThat;

import io.commitviewer.commit.store.StoredCommit;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommitCacheTests {

    private static StoredCommit commit(String sha, int messageLength) {
        StoredCommit.Person ada = new StoredCommit.Person("Ada", "ada@example.com", "2024-01-01T00:00:00+01:00");
        return new StoredCommit("p:" + sha, sha, List.of(), ada, ada, Instant.EPOCH, "m".repeat(messageLength), false, List.of(), List.of());
    }

    @Test
    void theLeastRecentlyReadGoFirstBeyondTheBytesAndWhatCannotFitIsNotKept() {
        long one = CommitCache.bytesOf(commit("a", 100));
        CommitCache cache = new CommitCache(3 * one);
        cache.put(commit("a", 100));
        cache.put(commit("b", 100));
        cache.put(commit("c", 100));
        assertThat(cache.get("p:a")).isNotNull(); // read: b is now the least recently read
        cache.put(commit("d", 100));
        assertThat(cache.get("p:b")).isNull();
        assertThat(cache.get("p:a")).isNotNull();
        assertThat(cache.get("p:c")).isNotNull();
        assertThat(cache.get("p:d")).isNotNull();
        assertThat(cache.bytes()).isEqualTo(3 * one);

        cache.put(commit("huge", 10_000));
        assertThat(cache.get("p:huge")).isNull();
        assertThat(cache.bytes()).isEqualTo(3 * one);
    }

    @Test
    void aCommitWeighsItsMessage() {
        assertThat(CommitCache.bytesOf(commit("a", 65_536))).isGreaterThan(2 * 65_536);
        assertThat(CommitCache.bytesOf(commit("a", 10))).isLessThan(1_200);
    }
}
