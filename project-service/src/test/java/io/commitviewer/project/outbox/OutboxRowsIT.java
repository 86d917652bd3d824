package io.commitviewer.project.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.commitviewer.project.InfrastructureConfiguration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Several project-service instances share one outbox: on real PostgreSQL, a relay pass that holds
 * its claimed rows (as while it waits for the broker's confirms) leaves them to nobody else, and
 * the other instance's pass, at the same moment, takes the rest at once instead of waiting; rows a
 * pass claimed but did not settle (its instance died) are due again for the next pass.
 */
@DataJpaTest
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
@Import({InfrastructureConfiguration.class, OutboxRows.class})
@Transactional(propagation = Propagation.NOT_SUPPORTED) // each claim is a transaction of its own, as in the relay
class OutboxRowsIT {

    @Autowired
    OutboxRows rows;

    @Autowired
    JdbcTemplate jdbc;

    @BeforeEach
    void clear() {
        jdbc.execute("TRUNCATE outbox");
    }

    private Set<Long> insert(int count) {
        Set<Long> ids = new HashSet<>();
        Instant now = Instant.now();
        for (int i = 0; i < count; i++) {
            ids.add(rows.insert(UUID.randomUUID(), "fetch.requested", "{}", "request-" + i, now, now.minusSeconds(1)));
        }
        return ids;
    }

    private static Set<Long> ids(List<OutboxRows.Row> claimed) {
        Set<Long> ids = new HashSet<>();
        claimed.forEach(row -> ids.add(row.id()));
        return ids;
    }

    @Test
    void twoInstancesClaimingAtOnceShareTheRowsAndNeverOneRowTwice() throws Exception {
        Set<Long> all = insert(10);
        CountDownLatch firstHoldsItsRows = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        CompletableFuture<Set<Long>> first = CompletableFuture.supplyAsync(() -> rows.claimDue(6, claimed -> {
            firstHoldsItsRows.countDown();
            try {
                assertThat(releaseFirst.await(30, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ids(claimed);
        }));
        assertThat(firstHoldsItsRows.await(30, TimeUnit.SECONDS)).isTrue();

        // the second instance's pass, while the first holds its six: the other four, without waiting
        long started = System.nanoTime();
        Set<Long> second = rows.claimDue(10, OutboxRowsIT::ids);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("not blocked by the first pass's locks").isLessThan(10_000);
        releaseFirst.countDown();
        Set<Long> firstIds = first.get(30, TimeUnit.SECONDS);

        assertThat(firstIds).hasSize(6);
        assertThat(second).hasSize(4).doesNotContainAnyElementsOf(firstIds);
        Set<Long> union = new HashSet<>(firstIds);
        union.addAll(second);
        assertThat(union).isEqualTo(all);
    }

    @Test
    void rowsAPassClaimedButNeverSettledAreDueAgain() {
        Set<Long> all = insert(3);
        // a pass that ends (its instance died, its transaction rolled back) without deleting or rescheduling
        assertThat(rows.claimDue(10, OutboxRowsIT::ids)).isEqualTo(all);
        assertThat(rows.claimDue(10, OutboxRowsIT::ids)).as("claimed again by the next pass, of any instance").isEqualTo(all);
        rows.delete(all);
        assertThat(rows.claimDue(10, OutboxRowsIT::ids)).isEmpty();
    }
}
