package io.commitviewer.commit.fetch;

import java.time.Instant;
import java.util.Optional;

/**
 * When a delivery of a fetch request arrived: on this JVM's monotonic clock (its deadline counts
 * from here, and every wait counts against it), and on the store's clock (compared with times
 * other instances wrote; empty if the store did not answer then: issue 23, finding 7).
 */
record Arrival(long nanos, Optional<Instant> storeTime) {

    /** The store's time now, as measured from the arrival; empty if the arrival's is unknown. */
    Optional<Instant> storeNow() {
        return storeTime.map(at -> at.plusNanos(System.nanoTime() - nanos));
    }

    /** The store's time now if known, else this JVM's: for the times a fetch records and the durations it measures. */
    Instant now() {
        return storeNow().orElseGet(Instant::now);
    }

    /** When it arrived, on the clock {@link #now()} reads. */
    Instant at() {
        return storeTime.orElseGet(() -> Instant.now().minusNanos(System.nanoTime() - nanos));
    }
}
