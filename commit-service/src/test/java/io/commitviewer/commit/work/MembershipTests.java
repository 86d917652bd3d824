package io.commitviewer.commit.work;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which shards an instance consumes, heartbeat after heartbeat, also cut off from the broker or the store (issue 23). */
class MembershipTests {

    private static final long SECOND = Duration.ofSeconds(1).toNanos();
    private final Membership membership = new Membership("a", Duration.ofSeconds(20), 8, 0);

    @Test
    void aLiveInstanceConsumesItsRendezvousShareAndTwoShareEveryShardOnce() {
        Membership other = new Membership("b", Duration.ofSeconds(20), 8, 0);

        Set<Integer> mine = membership.heartbeat(List.of("a", "b"), SECOND).consume();
        Set<Integer> theirs = other.heartbeat(List.of("a", "b"), SECOND).consume();

        Set<Integer> all = new HashSet<>(mine);
        all.addAll(theirs);
        assertThat(all).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(mine).doesNotContainAnyElementsOf(theirs);
        assertThat(membership.heartbeat(List.of("a"), 2 * SECOND).consume()).as("alone: every shard").hasSize(8);
    }

    @Test
    void oneFailedBrokerProbeKeepsTheShardsTwoInARowGiveThemUpAndLeave() {
        membership.heartbeat(List.of("a"), SECOND);

        assertThat(membership.brokerUnreachable()).isEqualTo(Membership.Tick.KEEP);
        Membership.Tick second = membership.brokerUnreachable();

        assertThat(second.consume()).isEmpty();
        assertThat(second.leave()).isTrue();
        assertThat(second.why()).contains("RabbitMQ");
    }

    @Test
    void aProbeThatAnswersBetweenTwoFailedOnesKeepsTheShards() {
        membership.brokerUnreachable();
        membership.heartbeat(List.of("a"), SECOND);

        assertThat(membership.brokerUnreachable()).isEqualTo(Membership.Tick.KEEP);
    }

    @Test
    void heartbeatsThatDoNotReachTheStoreKeepTheShardsUntilTheLapseThenGiveThemUpWithoutLeaving() {
        membership.heartbeat(List.of("a"), 10 * SECOND);

        assertThat(membership.heartbeatFailed(29 * SECOND)).as("19 s after the last heartbeat").isEqualTo(Membership.Tick.KEEP);
        Membership.Tick lapsed = membership.heartbeatFailed(31 * SECOND);

        assertThat(lapsed.consume()).isEmpty();
        assertThat(lapsed.leave()).as("the store is away: nothing to leave").isFalse();
        assertThat(lapsed.why()).contains("MongoDB");
        assertThat(membership.heartbeat(List.of("a"), 40 * SECOND).consume()).as("back once a heartbeat is taken").hasSize(8);
    }
}
