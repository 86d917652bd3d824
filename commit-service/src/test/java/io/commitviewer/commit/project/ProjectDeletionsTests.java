package io.commitviewer.commit.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

import io.commitviewer.amqp.DeadLetterRecoverer;
import io.commitviewer.amqp.EventCodec;
import io.commitviewer.amqp.EventPublisher;
import io.commitviewer.amqp.MessageTrace;
import io.commitviewer.commit.mirror.MirrorCache;
import io.commitviewer.commit.store.CommitStore;
import io.commitviewer.common.events.ProjectDeleted;
import io.commitviewer.common.url.AllowedOrigins;
import io.commitviewer.common.url.RepositoryUrlPolicy;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.amqp.core.Message;
import tools.jackson.databind.json.JsonMapper;

/**
 * What becomes of a deletion whose retries ran out (issue 23, finding 5): kept from running by the
 * store or a busy project, it waits behind its queue as a new message, never in the DLQ; anything
 * else goes to the DLQ.
 */
class ProjectDeletionsTests {

    private final EventCodec codec = new EventCodec(JsonMapper.builder().build());
    private final DeadLetterRecoverer deadLetters = mock(DeadLetterRecoverer.class);
    private final EventPublisher publisher = mock(EventPublisher.class);
    private final ProjectDeletions deletions = new ProjectDeletions(codec, deadLetters, mock(ProjectStates.class),
            mock(CommitStore.class), mock(MirrorCache.class), new RepositoryUrlPolicy(AllowedOrigins.parse("https://github.com")),
            new ProjectLocks(), mock(ProjectLeases.class), Duration.ofMinutes(1), publisher);
    private final ProjectDeleted deleted = ProjectDeleted.of(UUID.randomUUID());
    private final Message message = codec.toMessage(deleted, MessageTrace.of(deleted, null));

    @Test
    void aDeletionTheStoreKeptFromRunningIsPublishedAgainNotDeadLettered() {
        deletions.recover(message, new com.mongodb.MongoTimeoutException("no server"));

        ArgumentCaptor<ProjectDeleted> again = ArgumentCaptor.forClass(ProjectDeleted.class);
        verify(publisher).publish(again.capture());
        assertThat(again.getValue().projectId()).isEqualTo(deleted.projectId());
        verify(deadLetters, never()).recover(any(), any());
    }

    @Test
    void aDeletionOfABusyProjectIsPublishedAgain() {
        deletions.recover(message, new LeaseBusyException(deleted.projectId().toString(), Duration.ofMinutes(1)));

        verify(publisher).publish(any());
        verify(deadLetters, never()).recover(any(), any());
    }

    @Test
    void anyOtherFailureGoesToTheDeadLetterQueue() {
        IllegalStateException bug = new IllegalStateException("a bug");

        deletions.recover(message, bug);

        verify(deadLetters).recover(message, bug);
        verify(publisher, never()).publish(any());
    }
}
