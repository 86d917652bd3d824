package io.commitviewer.commit.project;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer per project across commit-service instances (ADR 0010): a lease per project in the
 * {@code leases} collection, taken with a conditional write, judged by MongoDB's clock (so that
 * the instances' clocks do not matter), renewed while the work runs and released at its end. Each
 * taking gets a fencing token from one counter, never reused and higher than every earlier one; the
 * holder's writes carry it and are refused once a higher one exists ({@link ProjectStates#claim},
 * and the commits', branches' and graphs' {@code writerToken}).
 */
public class ProjectLeases {

    /** The collection of the leases held, one document per project being written. */
    private static final Logger log = LoggerFactory.getLogger(ProjectLeases.class);
    private static final String TOKEN_COUNTER = "writerToken";

    private final MongoCollection<Document> leases;
    private final MongoCollection<Document> counters;
    private final String instance;
    private final Duration duration;
    private final Duration wait;
    private final Set<Lease> held = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService renewals;
    private final Counter busy;
    private final Counter takenOver;
    private final Counter lost;

    /**
     * A lease held: its project, its fencing token, and whether it was taken from a holder whose
     * lease lapsed (which may have left writes behind: the new holder sweeps).
     */
    public static final class Lease {
        private final String projectId;
        private final long token;
        private final boolean tookOver;
        private volatile boolean lost;

        public Lease(String projectId, long token, boolean tookOver) {
            this.projectId = projectId;
            this.token = token;
            this.tookOver = tookOver;
        }

        public String projectId() {
            return projectId;
        }

        public long token() {
            return token;
        }

        public boolean tookOver() {
            return tookOver;
        }

        /** Throws if a renewal found the lease taken by another writer: stop before the next write. */
        public void check() {
            if (lost) {
                throw new LeaseLostException(projectId, token, "a renewal found it taken");
            }
        }
    }

    /** The work of a holder is handed nothing else: every fenced write names the lease. */
    public ProjectLeases(MongoDatabase database, String instance, Duration duration, Duration renewEvery, Duration wait,
            MeterRegistry meters) {
        this.instance = instance;
        this.leases = database.getCollection(io.commitviewer.commit.store.StoreCollections.LEASES);
        this.counters = database.getCollection(io.commitviewer.commit.store.StoreCollections.COUNTERS);
        this.duration = duration;
        this.wait = wait;
        this.busy = Counter.builder("commitviewer.leases.busy").description("Waits for a project another writer held")
                .register(meters);
        this.takenOver = Counter.builder("commitviewer.leases.taken.over")
                .description("Leases taken from a holder whose lease lapsed").register(meters);
        this.lost = Counter.builder("commitviewer.leases.lost").description("Leases found taken by another writer while held")
                .register(meters);
        this.renewals = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "lease-renewals");
            thread.setDaemon(true);
            return thread;
        });
        long every = renewEvery.toMillis();
        renewals.scheduleWithFixedDelay(this::renewAll, every, every, TimeUnit.MILLISECONDS);
        meters.gauge("commitviewer.leases.held", held, Set::size);
    }

    /**
     * Runs {@code work} holding the project's lease, waiting up to the configured wait for a
     * holder to finish (or its lease to lapse); throws {@link LeaseBusyException} if it does not.
     */
    public <T> T holding(String projectId, Function<Lease, T> work) {
        return holding(projectId, wait, work);
    }

    /** The configured wait for a held lease, or {@code left} if shorter (what is left of a delivery's deadline). */
    public Duration waitAtMost(Duration left) {
        return left.compareTo(wait) < 0 ? left : wait;
    }

    /** {@link #holding(String, Function)}, waiting up to {@code wait}. */
    public <T> T holding(String projectId, Duration wait, Function<Lease, T> work) {
        Lease lease = acquire(projectId, wait);
        try {
            return work.apply(lease);
        } finally {
            release(lease);
        }
    }

    /**
     * Takes the project's lease, waiting up to {@code wait} for a holder to finish (or its lease to
     * lapse), and renews it until {@link #release}; throws {@link LeaseBusyException} if it stays
     * held. For work that cannot be one lambda (the fetch's one retry loop); else {@link #holding}.
     */
    public Lease acquire(String projectId, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        Optional<Lease> taken = take(projectId);
        if (taken.isEmpty()) {
            busy.increment();
            log.info("Project {} is being written by another instance: waiting up to {}", projectId, wait);
        }
        while (taken.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new LeaseBusyException(projectId, wait);
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LeaseBusyException(projectId, wait);
            }
            taken = take(projectId);
        }
        held.add(taken.get());
        return taken.get();
    }

    /**
     * Takes the project's lease if nobody holds it or its holder's lapsed; empty if it is held. Two
     * steps, because MongoDB refuses {@code $expr} (the "lapsed" test against {@code $$NOW}) in an
     * upsert's filter: a lapsed lease is taken over in one conditional update; a missing one is
     * inserted, then dated by the store's clock in a second write (dated at 1970 until then, so that
     * one whose creator died in between lapses at once; a creator overtaken in between gives up).
     */
    Optional<Lease> take(String projectId) {
        long token = nextToken();
        // lapsed: not renewed for the lease's duration, by MongoDB's clock
        Document lapsed = new Document("$lt", List.of("$renewedAt", new Document("$subtract", List.of("$$NOW", duration.toMillis()))));
        Document before = leases.findOneAndUpdate(Filters.and(Filters.eq("_id", projectId), Filters.expr(lapsed)),
                Updates.combine(Updates.set("instance", instance), Updates.set("token", token), Updates.currentDate("renewedAt")),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.BEFORE));
        if (before != null) {
            takenOver.increment();
            log.warn("Took over project {}'s lease from {} (token {}), which lapsed", projectId, before.getString("instance"),
                    before.get("token"));
            return Optional.of(new Lease(projectId, token, true));
        }
        try {
            leases.insertOne(new Document("_id", projectId).append("instance", instance).append("token", token)
                    .append("renewedAt", new java.util.Date(0)));
        } catch (MongoException e) {
            if (ErrorCategory.fromErrorCode(e.getCode()) == ErrorCategory.DUPLICATE_KEY) {
                return Optional.empty(); // held, and not lapsed
            }
            throw e;
        }
        long dated = leases.updateOne(Filters.and(Filters.eq("_id", projectId), Filters.eq("token", token)),
                Updates.currentDate("renewedAt")).getMatchedCount();
        return dated == 1 ? Optional.of(new Lease(projectId, token, false)) : Optional.empty();
    }

    private long nextToken() {
        Document counter = counters.findOneAndUpdate(Filters.eq("_id", TOKEN_COUNTER), Updates.inc("value", 1L),
                new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER));
        return ((Number) counter.get("value")).longValue();
    }

    /** Stops renewing the lease and gives it up (a lease the store does not take back lapses by itself). */
    public void release(Lease lease) {
        held.remove(lease);
        try {
            leases.deleteOne(Filters.and(Filters.eq("_id", lease.projectId()), Filters.eq("token", lease.token())));
        } catch (MongoException e) {
            log.warn("Could not release project {}'s lease (it lapses by itself): {}", lease.projectId(), e.toString());
        }
    }

    /**
     * Renews every lease held here in one write, so that a slow store delays all renewals by one
     * round trip, not one per lease (one after another, a slow one lapsed the rest: issue 23,
     * finding 6); a lease that write did not find is looked up, and marked lost if another writer
     * has it.
     */
    private void renewAll() {
        List<Lease> leasesHeld = List.copyOf(held);
        if (leasesHeld.isEmpty()) {
            return;
        }
        try {
            long matched = leases.updateMany(anyOf(leasesHeld), Updates.currentDate("renewedAt")).getMatchedCount();
            if (matched == leasesHeld.size()) {
                return;
            }
            Set<String> stillHeld = new java.util.HashSet<>();
            leases.find(anyOf(leasesHeld)).projection(new Document("_id", 1).append("token", 1))
                    .forEach(lease -> stillHeld.add(lease.getString("_id") + "#" + lease.get("token")));
            for (Lease lease : leasesHeld) {
                if (!stillHeld.contains(lease.projectId() + "#" + lease.token()) && held.contains(lease)) {
                    lease.lost = true;
                    lost.increment();
                    log.warn("Project {}'s lease (token {}) was taken by another writer: its work stops", lease.projectId(),
                            lease.token());
                }
            }
        } catch (RuntimeException e) {
            // not lost yet: the fenced writes decide; the leases lapse if the store stays away
            log.warn("Could not renew {} leases: {}", leasesHeld.size(), e.toString());
        }
    }

    private static org.bson.conversions.Bson anyOf(List<Lease> leasesHeld) {
        return Filters.or(leasesHeld.stream()
                .map(lease -> Filters.and(Filters.eq("_id", lease.projectId()), Filters.eq("token", lease.token()))).toList());
    }

    /** Stops renewing (the service is stopping; leases still held lapse). */
    public void close() {
        renewals.shutdownNow();
    }
}
