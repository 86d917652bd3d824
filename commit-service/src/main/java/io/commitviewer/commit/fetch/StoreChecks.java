package io.commitviewer.commit.fetch;

import io.commitviewer.amqp.EventPublisher;
import io.commitviewer.commit.store.StoreIdentities;
import io.commitviewer.common.events.CommitStoreChecked;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Checks the commit store's identity at start-up, before fetch requests are consumed, and then
 * every {@code commitviewer.store.check-interval}; after each check announces the epoch and
 * sequence with {@code commit-store.checked}, from which project-service fetches again what the
 * store lost (ADR 0006). A check or an announcement that fails (store or broker away) is logged
 * and made again at the next interval.
 */
class StoreChecks implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(StoreChecks.class);

    private final StoreIdentities identities;
    private final EventPublisher publisher;
    private final Duration interval;
    private ScheduledExecutorService scheduler;

    StoreChecks(StoreIdentities identities, EventPublisher publisher, Duration interval) {
        this.identities = identities;
        this.publisher = publisher;
        this.interval = interval;
    }

    /** Checks the store and announces what it holds. */
    void checkAndAnnounce() {
        try {
            Instant checkedAt = Instant.now(); // before the read: successes reported before it are in what it reads
            StoreIdentities.StoreIdentity identity = identities.check().identity();
            publisher.publish(CommitStoreChecked.of(checkedAt, identity.epoch(), identity.sequence()));
            log.debug("Commit store epoch {} at sequence {} announced", identity.epoch(), identity.sequence());
        } catch (RuntimeException e) {
            log.warn("Commit store check or announcement failed, next in {}: {}", interval, e.toString());
        }
    }

    @Override
    public void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "commit-store-check");
            thread.setDaemon(true);
            return thread;
        });
        // the first check runs now, before the listeners start (a later phase): no fetch writes into a lost store
        checkAndAnnounce();
        scheduler.scheduleWithFixedDelay(this::checkAndAnnounce, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public boolean isRunning() {
        return scheduler != null;
    }

    /** Before the message listener containers (Spring AMQP's default phase is Integer.MAX_VALUE). */
    @Override
    public int getPhase() {
        return 0;
    }
}
