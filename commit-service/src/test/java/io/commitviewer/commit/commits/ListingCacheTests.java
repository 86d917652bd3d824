package io.commitviewer.commit.commits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ListingCacheTests {

    private static ListingCache.Key key(String fetch, String value) {
        return new ListingCache.Key("p1", fetch, "q", value);
    }

    @Test
    void aValueIsComputedOncePerFetchOfItsProject() {
        ListingCache cache = new ListingCache(1_000);
        AtomicInteger computed = new AtomicInteger();

        String first = cache.get(key("f1", "fix"), String.class, () -> "v" + computed.incrementAndGet(), v -> 10);
        String again = cache.get(key("f1", "fix"), String.class, () -> "v" + computed.incrementAndGet(), v -> 10);
        String nextFetch = cache.get(key("f2", "fix"), String.class, () -> "v" + computed.incrementAndGet(), v -> 10);

        assertThat(first).isEqualTo("v1").isEqualTo(again);
        assertThat(nextFetch).as("the next fetch computes again").isEqualTo("v2");
    }

    @Test
    void theLeastRecentlyUsedGoFirstBeyondTheBytesAndWhatCannotFitIsNotKept() {
        ListingCache cache = new ListingCache(100);
        AtomicInteger computed = new AtomicInteger();
        cache.get(key("f", "a"), Integer.class, computed::incrementAndGet, v -> 40);
        cache.get(key("f", "b"), Integer.class, computed::incrementAndGet, v -> 40);
        cache.get(key("f", "a"), Integer.class, computed::incrementAndGet, v -> 40); // a used again: b is the eldest
        cache.get(key("f", "c"), Integer.class, computed::incrementAndGet, v -> 40); // 120 > 100: b goes
        assertThat(cache.bytes()).isEqualTo(80);
        cache.get(key("f", "a"), Integer.class, computed::incrementAndGet, v -> 40);
        cache.get(key("f", "b"), Integer.class, computed::incrementAndGet, v -> 40);
        assertThat(computed).as("a, b, c, then b again").hasValue(4);

        cache.get(key("f", "huge"), Integer.class, computed::incrementAndGet, v -> 101);
        cache.get(key("f", "huge"), Integer.class, computed::incrementAndGet, v -> 101);
        assertThat(computed).as("a value over the bound is computed each time, and evicts nothing").hasValue(6);
        assertThat(cache.bytes()).isEqualTo(80);
    }

    @Test
    void readersAskingAtOnceWaitForOneComputationAndAFailureIsNotKept() throws Exception {
        ListingCache cache = new ListingCache(1_000);
        AtomicInteger computed = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<Integer> first = pool.submit(() -> cache.get(key("f", "slow"), Integer.class, () -> {
                started.countDown();
                awaitQuietly(release);
                return computed.incrementAndGet();
            }, v -> 1));
            started.await();
            AtomicReference<Thread> waiting = new AtomicReference<>();
            Future<Integer> second = pool.submit(() -> {
                waiting.set(Thread.currentThread());
                return cache.get(key("f", "slow"), Integer.class, computed::incrementAndGet, v -> 1);
            });
            // the second reader waits for the first one's computation before it is released
            await().atMost(Duration.ofSeconds(10)).until(() -> waiting.get() != null && waiting.get().getState() == Thread.State.WAITING);
            release.countDown();
            assertThat(first.get()).isEqualTo(1);
            assertThat(second.get()).isEqualTo(1);
            assertThat(computed).hasValue(1);
        } finally {
            pool.shutdownNow();
        }

        assertThatThrownBy(() -> cache.get(key("f", "failing"), Integer.class, () -> {
            throw new IllegalStateException("store away");
        }, v -> 1)).hasMessage("store away");
        assertThat(cache.get(key("f", "failing"), Integer.class, () -> 7, v -> 1)).as("computed again").isEqualTo(7);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
