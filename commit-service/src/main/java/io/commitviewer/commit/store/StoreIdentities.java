package io.commitviewer.commit.store;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.OptionalLong;
import java.util.UUID;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identity of the commit store (ADR 0006): an epoch, which changes when the store loses data,
 * and a sequence, which every successful fetch increments. The identity is a document in
 * {@code projects}; {@code commits} and {@code branches} each hold a marker with the epoch, so that
 * a dropped collection is noticed too. Markers use an id no commit, branch or project has, and no
 * {@code projectId} any query asks for.
 */
public class StoreIdentities {

    private static final Logger log = LoggerFactory.getLogger(StoreIdentities.class);
    static final String ID = "~store";
    private static final String EPOCH = "epoch";
    private static final String SEQUENCE = "sequence";
    private static final String CREATED_AT = "createdAt";
    /** A new identity whose markers another instance is still writing is not a loss. */
    private static final Duration SETTLING = Duration.ofMinutes(1);

    private final CommitStore store;
    private final MongoCollection<Document> identity;
    private final MongoCollection<Document> commits;
    private final MongoCollection<Document> branches;
    private volatile StoreIdentity current;

    public StoreIdentities(MongoDatabase database, CommitStore store) {
        this.store = store;
        this.identity = database.getCollection(StoreCollections.PROJECTS);
        this.commits = database.getCollection(StoreCollections.COMMITS);
        this.branches = database.getCollection(StoreCollections.BRANCHES);
    }

    /** Where the store stands. */
    public record StoreIdentity(UUID epoch, long sequence) {
    }

    /** What a check found: the identity, and whether it is new (the store was empty, or lost data). */
    public record Check(StoreIdentity identity, boolean lost) {
    }

    /**
     * True if something written in {@code epoch} belongs to the current epoch: a project state
     * written before the store lost data (by a fetch that straddled the loss) is not there. A
     * state without an epoch (null) predates epochs.
     */
    public boolean isCurrent(UUID epoch) {
        return epoch == null || epoch.equals(epoch());
    }

    /** True for the ids this class uses in the collections, which are no project's. */
    public static boolean isReserved(String id) {
        return ID.equals(id);
    }

    /** The epoch of the last check, or null before the first. */
    public UUID currentEpoch() {
        StoreIdentity known = current;
        return known == null ? null : known.epoch();
    }

    /** The epoch, checking the store first if no check ran yet. */
    public UUID epoch() {
        UUID epoch = currentEpoch();
        return epoch != null ? epoch : check().identity().epoch();
    }

    /**
     * Reads the identity and the markers. All there and agreeing: nothing to do. The identity and
     * markers missing over an empty store: a new store. A store of commits with neither (written
     * before epochs existed): adopted as it is. Anything else lost data: what is left of the
     * projects, commits and branches is dropped and a new epoch begins.
     */
    public synchronized Check check() {
        Document found = identity.find(Filters.eq("_id", ID)).first();
        String commitsMarker = marker(commits);
        String branchesMarker = marker(branches);
        if (found != null) {
            String epoch = found.getString(EPOCH);
            boolean settling = found.getDate(CREATED_AT) != null
                    && found.getDate(CREATED_AT).toInstant().plus(SETTLING).isAfter(Instant.now());
            // the instance that began the epoch writes its two markers just after the identity: one or both still
            // missing is no loss while it settles (a marker of another epoch is)
            boolean pending = settling && (commitsMarker == null || epoch.equals(commitsMarker))
                    && (branchesMarker == null || epoch.equals(branchesMarker));
            if ((epoch.equals(commitsMarker) && epoch.equals(branchesMarker)) || pending) {
                return remember(new Check(identity(found), false));
            }
            log.warn("The commit store lost data: epoch {} but the commits say {} and the branches {}", epoch, commitsMarker,
                    branchesMarker);
            identity.deleteOne(Filters.and(Filters.eq("_id", ID), Filters.eq(EPOCH, epoch)));
            return remember(new Check(begin(true), true));
        }
        if (commitsMarker == null && branchesMarker == null && identity.find(Filters.ne("_id", ID)).first() != null) {
            log.info("Adopting a commit store written before store epochs");
            return remember(new Check(begin(false), false));
        }
        boolean lost = commitsMarker != null || branchesMarker != null;
        if (lost) {
            log.warn("The commit store lost data: no identity, but markers of epoch {}", commitsMarker);
        }
        return remember(new Check(begin(lost), lost));
    }

    /**
     * Starts a new epoch at sequence 0: once only, whichever instance gets there first (the id is
     * unique); the others take its identity. With {@code wipe}, what is left of the old epoch goes
     * first.
     */
    private StoreIdentity begin(boolean wipe) {
        UUID epoch = UUID.randomUUID();
        try {
            identity.insertOne(new Document("_id", ID).append(EPOCH, epoch.toString()).append(SEQUENCE, 0L)
                    .append(CREATED_AT, new Date()));
        } catch (MongoWriteException e) {
            if (ErrorCategory.fromErrorCode(e.getCode()) != ErrorCategory.DUPLICATE_KEY) {
                throw e;
            }
            Document winner = identity.find(Filters.eq("_id", ID)).first();
            if (winner == null) {
                throw e;
            }
            return identity(winner);
        }
        if (wipe) {
            // every commit, branch, graph and project state, keeping this identity and the tombstones of deleted projects
            store.dropAll();
            identity.deleteMany(Filters.ne("_id", ID));
        }
        writeMarker(commits, epoch);
        writeMarker(branches, epoch);
        log.info("Commit store epoch {} begins", epoch);
        return new StoreIdentity(epoch, 0);
    }

    /**
     * The next sequence of the epoch, for a fetch that succeeded in it; empty if the store is no
     * longer in that epoch (it lost data while the fetch ran, so the fetch must not succeed).
     */
    public OptionalLong nextSequence(UUID epoch) {
        Document updated = identity.findOneAndUpdate(Filters.and(Filters.eq("_id", ID), Filters.eq(EPOCH, epoch.toString())),
                Updates.inc(SEQUENCE, 1L), new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
        return updated == null ? OptionalLong.empty() : OptionalLong.of(((Number) updated.get(SEQUENCE)).longValue());
    }

    private Check remember(Check check) {
        current = check.identity();
        return check;
    }

    private static StoreIdentity identity(Document document) {
        return new StoreIdentity(UUID.fromString(document.getString(EPOCH)), ((Number) document.get(SEQUENCE)).longValue());
    }

    private static String marker(MongoCollection<Document> collection) {
        Document marker = collection.find(Filters.eq("_id", ID)).first();
        return marker == null ? null : marker.getString(EPOCH);
    }

    private static void writeMarker(MongoCollection<Document> collection, UUID epoch) {
        collection.replaceOne(Filters.eq("_id", ID), new Document("_id", ID).append("projectId", ID).append(EPOCH, epoch.toString()),
                new ReplaceOptions().upsert(true));
    }
}
