package io.commitviewer.commit.project;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import io.commitviewer.commit.store.StoreCollections;
import io.commitviewer.commit.store.StoreIdentities;
import io.commitviewer.common.git.FailureReason;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.bson.Document;

/**
 * Where commit-service keeps a project's {@link ProjectState}: one document per project in the
 * {@code projects} collection, and a tombstone in {@code deletedProjects} once it is deleted. The
 * one place that knows the documents' field names; they are those written before states were
 * typed, so stored states read as they are.
 */
public class ProjectStates {

    private static final String ID = "_id";
    private static final String REPOSITORY_URL = "repositoryUrl";
    private static final String STATUS = "status";
    private static final String READY = "ready";
    private static final String FETCH_ID = "fetchId";
    private static final String TIPS = "tips";
    private static final String TOTAL_COUNT = "totalCount";
    private static final String BRANCH_COUNT = "branchCount";
    private static final String SKIPPED_TAGS = "skippedTags";
    private static final String REFS_DIGEST = "refsDigest";
    private static final String LAST_FETCH_STARTED_AT = "lastFetchStartedAt";
    private static final String LAST_SUCCESS_AT = "lastSuccessAt";
    private static final String STORE_SEQUENCE = "storeSequence";
    private static final String BRANCH_GENERATION = "branchGeneration";
    private static final String CURRENT_FETCH_ID = "currentFetchId";
    private static final String CURRENT_FETCH_STARTED_AT = "currentFetchStartedAt";
    private static final String CURRENT_ATTEMPTS = "currentAttempts";
    private static final String CURRENT_ATTEMPT_ID = "currentAttemptId";
    private static final String LAST_ERROR = "lastError";
    private static final String ERROR_REASON = "reason";
    private static final String ERROR_MESSAGE = "message";
    private static final String ERROR_FETCH_ID = "fetchId";
    private static final String ERROR_AT = "at";
    private static final String STORE_EPOCH = "storeEpoch";
    private static final String REPORTED = "reported";
    private static final String REPORTED_FETCH_ID = "fetchId";
    private static final String REPORTED_TYPE = "type";
    private static final String REPORTED_EVENT = "event";
    private static final String DELETED_AT = "at";
    /** The fencing token of the lease the state was last written under (ADR 0010); absent before leases. */
    private static final String WRITER_TOKEN = "writerToken";
    /**
     * On the stub a deletion leaves in place of the state: the fence's high-water mark outlives the
     * project, so that a writer paused past its lease cannot claim it again (issue 23, finding 4).
     */
    private static final String DELETED = "deleted";

    private final MongoCollection<Document> projects;
    private final MongoCollection<Document> deleted;
    private final StoreIdentities identities;

    public ProjectStates(MongoDatabase database, StoreIdentities identities) {
        this.projects = database.getCollection(StoreCollections.PROJECTS);
        this.deleted = database.getCollection(StoreCollections.DELETED_PROJECTS);
        this.identities = identities;
    }

    /**
     * The project's state in the store's current epoch; empty if there is none, or only one
     * written before the store lost data (by a fetch that straddled the loss, ADR 0006).
     */
    public Optional<ProjectState> find(String projectId) {
        if (StoreIdentities.isReserved(projectId)) {
            return Optional.empty();
        }
        return Optional.ofNullable(projects.find(Filters.eq(ID, projectId)).first())
                .filter(document -> document.containsKey(STATUS)) // not only a claim, before the first state
                .map(ProjectStates::fromDocument)
                .filter(state -> identities.isCurrent(state.storeEpoch()));
    }

    /**
     * Raises the project's fencing token to the lease's, the first write of every holder: from
     * here on, writes under an earlier lease are refused. Creates the document (with no state yet)
     * for a project that has none. Throws {@link LeaseLostException} if a later lease's token is
     * there already, or the project was deleted (its stub keeps the deletion's token).
     */
    public void claim(ProjectLeases.Lease lease) {
        lease.check();
        try {
            projects.updateOne(Filters.and(Filters.eq(ID, lease.projectId()), Filters.not(Filters.gt(WRITER_TOKEN, lease.token())),
                    Filters.ne(DELETED, true)), Updates.set(WRITER_TOKEN, lease.token()), new UpdateOptions().upsert(true));
        } catch (MongoException e) {
            if (ErrorCategory.fromErrorCode(e.getCode()) == ErrorCategory.DUPLICATE_KEY) {
                throw new LeaseLostException(lease.projectId(), lease.token(), "a later lease claimed the project");
            }
            throw e;
        }
    }

    /** Writes the state, fenced: refused ({@link LeaseLostException}) unless the project is still the lease's. */
    public void save(ProjectState state, ProjectLeases.Lease lease) {
        lease.check();
        long matched = projects.replaceOne(Filters.and(Filters.eq(ID, state.projectId()), Filters.eq(WRITER_TOKEN, lease.token())),
                toDocument(state).append(WRITER_TOKEN, lease.token())).getMatchedCount();
        if (matched == 0) {
            throw new LeaseLostException(state.projectId(), lease.token(), "its state holds another writer's token");
        }
    }

    /**
     * Remembers that the project was deleted, so that a fetch request arriving later (the two
     * events travel on different queues) stores nothing again, and replaces its state by a stub
     * that keeps the deletion's fencing token: claimed first, so that every earlier writer —
     * also one paused past its lease that resumes now — is refused from here on. Idempotent.
     */
    public void delete(String projectId, ProjectLeases.Lease lease) {
        markDeleted(projectId);
        try {
            claim(lease);
        } catch (LeaseLostException e) {
            if (isStub(projectId)) {
                return; // deleted already (a redelivery of the deletion), under a later token
            }
            throw e;
        }
        long matched = projects.replaceOne(Filters.and(Filters.eq(ID, projectId), Filters.eq(WRITER_TOKEN, lease.token())),
                new Document(ID, projectId).append(WRITER_TOKEN, lease.token()).append(DELETED, true)).getMatchedCount();
        if (matched == 0 && !isStub(projectId)) {
            throw new LeaseLostException(projectId, lease.token(), "its state holds a later writer's token");
        }
    }

    /**
     * The tombstone alone (idempotent): a request of the project that has not started finds it and
     * starts nothing; the project's state, commits and mirror are the shard's deletion's.
     */
    public void markDeleted(String projectId) {
        deleted.replaceOne(Filters.eq(ID, projectId), new Document(ID, projectId).append(DELETED_AT, new Date()),
                new ReplaceOptions().upsert(true));
    }

    private boolean isStub(String projectId) {
        Document document = projects.find(Filters.eq(ID, projectId)).first();
        return document != null && Boolean.TRUE.equals(document.getBoolean(DELETED));
    }

    /**
     * Throws {@link LeaseLostException} if the project is no longer the lease's to write: a later
     * writer claimed it, or it was deleted. One read by id: what a writer asks while it inserts
     * (once a second, and on the first batch after a pause) and before it writes branches, so that
     * one paused past its lease stops within a batch of resuming.
     */
    public void checkFence(ProjectLeases.Lease lease) {
        lease.check();
        Document fence = projects.find(Filters.eq(ID, lease.projectId())).projection(new Document(WRITER_TOKEN, 1).append(DELETED, 1))
                .first();
        if (fence != null && (Boolean.TRUE.equals(fence.getBoolean(DELETED))
                || ((Number) fence.getOrDefault(WRITER_TOKEN, 0L)).longValue() > lease.token())) {
            throw new LeaseLostException(lease.projectId(), lease.token(), "the project was deleted or claimed by a later writer");
        }
    }

    public boolean isDeleted(String projectId) {
        return deleted.find(Filters.eq(ID, projectId)).first() != null;
    }

    static Document toDocument(ProjectState state) {
        Document document = new Document(ID, state.projectId()).append(REPOSITORY_URL, state.repositoryUrl())
                .append(STATUS, state.status().name()).append(READY, state.ready());
        if (state.storeEpoch() != null) {
            document.append(STORE_EPOCH, state.storeEpoch().toString());
        }
        ProjectState.Served served = state.served();
        if (served != null) {
            document.append(FETCH_ID, served.fetchId()).append(TIPS, served.tips()).append(TOTAL_COUNT, served.totalCount())
                    .append(BRANCH_COUNT, served.branchCount()).append(LAST_FETCH_STARTED_AT, date(served.fetchStartedAt()))
                    .append(LAST_SUCCESS_AT, date(served.succeededAt())).append(STORE_SEQUENCE, served.storeSequence())
                    .append(BRANCH_GENERATION, served.branchGeneration()).append(SKIPPED_TAGS, served.skippedTags())
                    .append(REFS_DIGEST, served.refsDigest());
        }
        ProjectState.Current current = state.current();
        if (current != null) {
            document.append(CURRENT_FETCH_ID, current.fetchId()).append(CURRENT_FETCH_STARTED_AT, date(current.startedAt()))
                    .append(CURRENT_ATTEMPTS, current.attempts()).append(CURRENT_ATTEMPT_ID, current.attemptId());
        }
        ProjectState.LastError error = state.lastError();
        if (error != null) {
            document.append(LAST_ERROR, new Document(ERROR_REASON, error.reason().name()).append(ERROR_MESSAGE, error.message())
                    .append(ERROR_FETCH_ID, error.fetchId()).append(ERROR_AT, date(error.at())));
        }
        if (!state.reported().isEmpty()) {
            document.append(REPORTED, state.reported().stream().map(r -> new Document(REPORTED_FETCH_ID, r.fetchId())
                    .append(REPORTED_TYPE, r.type()).append(REPORTED_EVENT, r.event())).toList());
        }
        return document;
    }

    static ProjectState fromDocument(Document document) {
        ProjectState.Served served = null;
        if (Boolean.TRUE.equals(document.getBoolean(READY))) {
            Number sequence = (Number) document.get(STORE_SEQUENCE);
            served = new ProjectState.Served(document.getString(FETCH_ID), document.getList(TIPS, String.class, List.of()),
                    ((Number) document.get(TOTAL_COUNT)).longValue(), ((Number) document.get(BRANCH_COUNT)).intValue(),
                    instant(document.getDate(LAST_FETCH_STARTED_AT)), instant(document.getDate(LAST_SUCCESS_AT)),
                    sequence == null ? null : sequence.longValue(), document.getString(BRANCH_GENERATION),
                    document.get(SKIPPED_TAGS) instanceof Number skipped ? skipped.longValue() : 0L, document.getString(REFS_DIGEST));
        }
        ProjectState.Current current = null;
        if (document.getString(CURRENT_FETCH_ID) != null) {
            Number attempts = (Number) document.get(CURRENT_ATTEMPTS);
            current = new ProjectState.Current(document.getString(CURRENT_FETCH_ID), instant(document.getDate(CURRENT_FETCH_STARTED_AT)),
                    attempts == null ? 0 : attempts.intValue(), document.getString(CURRENT_ATTEMPT_ID));
        }
        ProjectState.LastError error = null;
        Document lastError = document.get(LAST_ERROR, Document.class);
        if (lastError != null) {
            error = new ProjectState.LastError(FailureReason.valueOf(lastError.getString(ERROR_REASON)),
                    lastError.getString(ERROR_MESSAGE), lastError.getString(ERROR_FETCH_ID), instant(lastError.getDate(ERROR_AT)));
        }
        List<ProjectState.Reported> reported = document.getList(REPORTED, Document.class, List.of()).stream()
                .map(r -> new ProjectState.Reported(r.getString(REPORTED_FETCH_ID), r.getString(REPORTED_TYPE), r.getString(REPORTED_EVENT)))
                .toList();
        String epoch = document.getString(STORE_EPOCH);
        return new ProjectState(document.getString(ID), document.getString(REPOSITORY_URL),
                ProjectState.Status.valueOf(document.getString(STATUS)), served, current, error, reported,
                epoch == null ? null : UUID.fromString(epoch));
    }

    private static Date date(java.time.Instant instant) {
        return instant == null ? null : Date.from(instant);
    }

    private static java.time.Instant instant(Date date) {
        return date == null ? null : date.toInstant();
    }
}
