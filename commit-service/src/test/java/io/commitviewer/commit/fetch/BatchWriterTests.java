package io.commitviewer.commit.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.commitviewer.commit.project.LeaseLostException;
import io.commitviewer.commit.store.Commits;
import io.commitviewer.common.git.GitCommit;
import io.commitviewer.common.git.Signature;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/**
 * The writer between {@code git log} and the store, alone: batches in order, a failure that stops
 * the producer, and the fence checked after each batch (issue 23, finding 4).
 */
class BatchWriterTests {

    private final Commits store = mock(Commits.class);
    private final List<List<String>> written = Collections.synchronizedList(new ArrayList<>());

    private static GitCommit commit(int i) {
        Signature who = new Signature("Ada", "ada@example.com", OffsetDateTime.parse("2026-01-01T00:00:00Z"));
        return new GitCommit(String.format("%040x", i), List.of(), who, who, "m" + i, Set.of(), Set.of());
    }

    private void recordInserts() {
        when(store.insert(any(), anyString(), anyLong(), any())).thenAnswer(invocation -> {
            List<Document> batch = invocation.getArgument(0);
            written.add(batch.stream().map(document -> document.getString("sha")).toList());
            return (long) batch.size();
        });
    }

    @Test
    void everyCommitIsWrittenOnceInBatchesInOrder() throws Exception {
        recordInserts();
        AtomicInteger fenceChecks = new AtomicInteger();
        long inserted;
        try (BatchWriter writer = new BatchWriter(store, "p", "attempt", 7, sha -> true, 100, fenceChecks::incrementAndGet, java.time.Duration.ZERO)) {
            for (int i = 0; i < 250; i++) {
                writer.add(commit(i));
            }
            inserted = writer.finish();
        }

        assertThat(inserted).isEqualTo(250);
        assertThat(written).extracting(List::size).containsExactly(100, 100, 50);
        assertThat(written.stream().flatMap(List::stream).toList())
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 250).mapToObj(i -> String.format("%040x", i)).toList());
        assertThat(fenceChecks.get()).as("once after each batch").isEqualTo(3);
    }

    @Test
    void aLostFenceStopsTheWriterAfterTheBatchThatFoundItAndTheProducerHearsSo() throws Exception {
        recordInserts();
        AtomicInteger batches = new AtomicInteger();
        Runnable fence = () -> {
            if (batches.incrementAndGet() == 2) {
                throw new LeaseLostException("p", 7, "the project was deleted");
            }
        };
        try (BatchWriter writer = new BatchWriter(store, "p", "attempt", 7, sha -> true, 10, fence, java.time.Duration.ZERO)) {
            assertThatThrownBy(() -> {
                for (int i = 0; i < 1_000; i++) {
                    writer.add(commit(i));
                }
                writer.finish();
            }).isInstanceOf(LeaseLostException.class);
        }

        assertThat(written).as("nothing written after the batch that found the fence lost").hasSize(2);
    }

    @Test
    void aStoreFailureReachesTheProducerAndNothingIsWrittenAfterClose() throws Exception {
        when(store.insert(any(), anyString(), anyLong(), any())).thenThrow(new com.mongodb.MongoSocketReadException("reset",
                new com.mongodb.ServerAddress()));
        BatchWriter writer = new BatchWriter(store, "p", "attempt", 7, sha -> true, 5, () -> { }, java.time.Duration.ZERO);

        assertThatThrownBy(() -> {
            for (int i = 0; i < 1_000; i++) {
                writer.add(commit(i));
            }
            writer.finish();
        }).isInstanceOf(com.mongodb.MongoSocketReadException.class);
        writer.close();

        org.mockito.Mockito.verify(store, org.mockito.Mockito.times(1)).insert(any(), anyString(), anyLong(), any());
    }

    /** The fence is asked once per interval while the writer runs on, and after the first batch that follows a pause. */
    @Test
    void theFenceIsAskedAfterAPauseNotAfterEveryBatch() throws Exception {
        recordInserts();
        AtomicInteger fenceChecks = new AtomicInteger();
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
        try (BatchWriter writer = new BatchWriter(store, "p", "attempt", 7, sha -> true, 10, fenceChecks::incrementAndGet,
                java.time.Duration.ofSeconds(1), clock::get)) {
            for (int i = 0; i < 100; i++) {
                writer.add(commit(i));
            }
            org.awaitility.Awaitility.await().until(() -> written.size() == 10);
            assertThat(fenceChecks.get()).as("ten batches within the interval").isZero();
            clock.addAndGet(java.time.Duration.ofMinutes(2).toNanos()); // the writer's process paused past its lease
            for (int i = 100; i < 110; i++) {
                writer.add(commit(i));
            }
            writer.finish();
        }
        assertThat(fenceChecks.get()).as("the batch after the pause").isEqualTo(1);
    }
}
