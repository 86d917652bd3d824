package io.commitviewer.project.project;

import io.commitviewer.common.events.CommitStoreChecked;
import io.commitviewer.common.events.FetchRequested;
import io.commitviewer.project.outbox.Outbox;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Applies commit-service's announcements of what its store holds (ADR 0006): a project whose last
 * success lies in another epoch of the store, or after the announced sequence (an older backup),
 * was lost by the store, and is fetched again with the reason {@code STORE_RECOVERY}. In batches,
 * each in its own transaction; a second instance applying the same announcement finds the
 * projects already queued.
 */
@Service
class StoreRecovery {

    private static final Logger log = LoggerFactory.getLogger(StoreRecovery.class);
    private static final int BATCH = 200;

    private final Projects projects;
    private final Fetches fetches;
    private final Outbox outbox;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final Counter recovered;

    StoreRecovery(Projects projects, Fetches fetches, Outbox outbox, TransactionTemplate transactions, Clock clock,
            MeterRegistry meters) {
        this.projects = projects;
        this.fetches = fetches;
        this.outbox = outbox;
        this.transactions = transactions;
        this.clock = clock;
        this.recovered = Counter.builder("commitviewer.store.recoveries")
                .description("Projects fetched again because the commit store lost them").register(meters);
    }

    /** Queues a recovery fetch for every project the store lost; returns how many. */
    int apply(CommitStoreChecked checked) {
        int total = 0;
        int batch;
        do {
            Integer queued = transactions.execute(status -> recoverBatch(checked));
            batch = queued == null ? 0 : queued;
            total += batch;
        } while (batch == BATCH);
        if (total > 0) {
            recovered.increment(total);
            log.warn("The commit store (epoch {}, sequence {}) lost {} project(s): fetching them again", checked.epoch(),
                    checked.sequence(), total);
        }
        return total;
    }

    private int recoverBatch(CommitStoreChecked checked) {
        List<Project> lost = projects.lostByStore(checked.epoch(), checked.sequence(), checked.occurredAt(), Limit.of(BATCH));
        Instant now = Instant.now(clock).truncatedTo(ChronoUnit.MICROS);
        for (Project project : lost) {
            UUID fetchId = UUID.randomUUID();
            fetches.save(new Fetch(fetchId, project.id(), now, FetchReason.STORE_RECOVERY));
            project.queueRecovery(fetchId, now);
            outbox.append(new FetchRequested(UUID.randomUUID(), now, project.id(), project.url(), fetchId));
        }
        return lost.size();
    }
}
