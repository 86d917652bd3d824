package io.commitviewer.commit.work;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Whether this instance counts itself among the live ones, heartbeat after heartbeat, and so which
 * shards it consumes (ADR 0010; issue 23, findings 2 and 5). An instance is live only while it
 * reaches both RabbitMQ and MongoDB: one that lost the broker (two probes in a row) leaves at once
 * and gives up its shards, so the others consume them at their next heartbeat; one whose heartbeats
 * do not reach MongoDB gives them up once its last heartbeat is older than the lapse, when the
 * others count it gone, so that single active consumer hands them over. The decisions alone, on
 * {@link System#nanoTime()} values the caller passes: {@link ProjectWorkShards} acts on them.
 */
final class Membership {

    /**
     * What one heartbeat decides.
     *
     * @param consume the shards to consume from now on, or null to keep those consumed
     * @param leave   whether to leave the instances at once (the broker is lost, the store still answers)
     * @param why     why shards are given up, for the log; null otherwise
     */
    record Tick(Set<Integer> consume, boolean leave, String why) {
        static final Tick KEEP = new Tick(null, false, null);
    }

    private final String instance;
    private final long lapseNanos;
    private final int shards;
    private long lastHeartbeat;
    private int brokerMissed;

    /** @param now when the instance starts: its first heartbeat is due, not missed */
    Membership(String instance, Duration lapse, int shards, long now) {
        this.instance = instance;
        this.lapseNanos = lapse.toNanos();
        this.shards = shards;
        this.lastHeartbeat = now;
    }

    /** The broker probe failed. */
    Tick brokerUnreachable() {
        return ++brokerMissed >= 2 ? new Tick(Set.of(), true, "RabbitMQ does not answer this instance") : Tick.KEEP;
    }

    /** The broker answered; the heartbeat sent at {@code sentAt} was taken and these instances are live. */
    Tick heartbeat(List<String> alive, long sentAt) {
        brokerMissed = 0;
        lastHeartbeat = sentAt;
        return new Tick(ShardMembers.owned(instance, alive, shards), false, null);
    }

    /** The broker answered; the heartbeat did not reach MongoDB. */
    Tick heartbeatFailed(long now) {
        brokerMissed = 0;
        return now - lastHeartbeat > lapseNanos
                ? new Tick(Set.of(), false, "MongoDB has not heard from this instance for " + Duration.ofNanos(lapseNanos))
                : Tick.KEEP;
    }
}
