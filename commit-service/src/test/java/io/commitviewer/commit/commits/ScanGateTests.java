package io.commitviewer.commit.commits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ScanGateTests {

    /** Two scans at once; a third read waits its bound and is refused, and the slot is free again after. */
    @Test
    void aReadBeyondTheSlotsIsRefusedNotQueued() throws Exception {
        ScanGate gate = new ScanGate(2, Duration.ofMillis(200));
        CountDownLatch running = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<?>[] scans = new CompletableFuture<?>[2];
        for (int i = 0; i < 2; i++) {
            scans[i] = CompletableFuture.runAsync(() -> gate.scan(() -> {
                running.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }));
        }
        running.await();

        assertThatThrownBy(() -> gate.scan(() -> "third")).isInstanceOf(ScansBusyException.class).hasMessageContaining("2 searches");

        release.countDown();
        CompletableFuture.allOf(scans).get();
        assertThat(gate.scan(() -> "after")).isEqualTo("after");
        assertThatThrownBy(() -> gate.scan(() -> {
            throw new IllegalStateException("failed");
        })).hasMessage("failed");
        assertThat(gate.scan(() -> "a failed scan gives its slot back")).isNotNull();
        assertThat(gate.scan(() -> "twice")).isNotNull();
    }
}
