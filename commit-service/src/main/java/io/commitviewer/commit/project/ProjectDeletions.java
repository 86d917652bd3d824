package io.commitviewer.commit.project;

import io.commitviewer.amqp.DeadLetterRecoverer;
import io.commitviewer.amqp.EventCodec;
import io.commitviewer.amqp.EventPublisher;
import com.mongodb.MongoException;
import org.springframework.amqp.ImmediateRequeueAmqpException;
import io.commitviewer.commit.store.CommitStore;
import io.commitviewer.commit.mirror.MirrorCache;
import io.commitviewer.common.events.ProjectDeleted;
import io.commitviewer.common.url.InvalidRepositoryUrlException;
import io.commitviewer.common.url.RepositoryUrlPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;

/**
 * Handles {@code project.deleted}: drops the project's commits, branches, state and mirror. Its
 * deliveries come from the one entry point of project work ({@code work.ProjectWork}).
 */
public class ProjectDeletions {

    private static final Logger log = LoggerFactory.getLogger(ProjectDeletions.class);

    private final EventCodec codec;
    private final DeadLetterRecoverer deadLetters;
    private final ProjectStates states;
    private final CommitStore store;
    private final MirrorCache mirrors;
    private final RepositoryUrlPolicy policy;
    private final ProjectLocks locks;
    private final ProjectLeases leases;
    private final java.time.Duration leaseWait;
    private final EventPublisher publisher;

    ProjectDeletions(EventCodec codec, DeadLetterRecoverer deadLetters, ProjectStates states, CommitStore store,
            MirrorCache mirrors, RepositoryUrlPolicy policy, ProjectLocks locks, ProjectLeases leases, java.time.Duration leaseWait,
            EventPublisher publisher) {
        this.publisher = publisher;
        this.codec = codec;
        this.deadLetters = deadLetters;
        this.states = states;
        this.store = store;
        this.mirrors = mirrors;
        this.policy = policy;
        this.locks = locks;
        this.leases = leases;
        this.leaseWait = leaseWait;
    }

    /** A delivery of {@code project.deleted}, from {@code work.ProjectWork}: anything else goes to the DLQ. */
    public void on(Message message) {
        codec.expect(message, ProjectDeleted.class, deadLetters).ifPresent(this::delete);
    }

    /**
     * A notice of {@code project.deleted}, ahead of the project's shard ({@code AmqpNames.DELETION_NOTICES}):
     * the tombstone only, so that the project's fetch requests queued in its shard before the deletion
     * start no clone. The deletion itself waits for the shard's copy.
     */
    public void onNotice(Message message) {
        codec.expect(message, ProjectDeleted.class, deadLetters).ifPresent(event -> {
            states.markDeleted(event.projectId().toString());
            log.debug("Project {} marked deleted ahead of its shard", event.projectId());
        });
    }

    /**
     * What becomes of a notice whose retries ran out (the store away): dropped, and said. It only
     * saves clones; the shard's copy of the deletion does the deletion, and marks the project too.
     */
    public void dropNotice(Message message, Throwable cause) {
        if (cause instanceof MongoException) {
            log.warn("A deletion notice not applied ({}): fetches queued before the deletion may still clone", cause.toString());
            return;
        }
        deadLetters.recover(message, cause);
    }

    /**
     * What becomes of a deletion whose retries ran out: one the store or the project's writer kept
     * from running (the store away, a partition, a fetch in progress) waits behind its queue as a
     * new message, never in the DLQ — a deletion lost there would leave the project's commits
     * served (issue 23, finding 5); anything else goes to the DLQ.
     */
    public void recover(Message message, Throwable cause) {
        if (cause instanceof MongoException || cause instanceof LeaseBusyException) {
            log.warn("Deletion not done ({}); it waits behind its queue", cause.toString());
            try {
                publisher.publish(codec.fromMessage(message));
                return;
            } catch (RuntimeException e) {
                throw new ImmediateRequeueAmqpException("deletion not done, and not published again", e);
            }
        }
        deadLetters.recover(message, cause);
    }

    private void delete(ProjectDeleted event) {
        String projectId = event.projectId().toString();
        // waits for a fetch of this project in progress, here or on another instance (ADR 0010); later requests
        // find the tombstone
        ProjectState state = locks.withLock(projectId, leaseWait, () -> leases.holding(projectId, leaseWait, lease -> {
            ProjectState current = states.find(projectId).orElse(null);
            // the tombstone and the fence first: a redelivery after a crash finishes the rest, and no earlier writer
            // (one paused past its lease included) writes again
            states.delete(projectId, lease);
            store.deleteProject(projectId, lease.token());
            return current;
        }));
        if (state != null && state.repositoryUrl() != null) {
            try {
                mirrors.delete(policy.parse(state.repositoryUrl()));
            } catch (InvalidRepositoryUrlException e) {
                log.debug("No mirror for a refused URL");
            }
        }
        log.info("Project {} deleted: commits, branches and mirror dropped", projectId);
    }
}
