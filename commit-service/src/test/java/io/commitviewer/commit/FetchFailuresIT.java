package io.commitviewer.commit;

import static org.assertj.core.api.Assertions.assertThat;

import io.commitviewer.common.events.AmqpNames;
import io.commitviewer.common.events.Event;
import io.commitviewer.common.events.FetchFailed;
import io.commitviewer.common.events.FetchRequested;
import io.commitviewer.common.git.FailureReason;
import io.commitviewer.testsupport.ServedRepository;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Fetches that fail: a missing, private, refused, stalled, unreachable or too large repository ends
 * in one failure with its reason and whether to retry, after as many git runs as attempts; a refresh
 * that fails (timed out, or over the limit) leaves the previous set served.
 */
@CommitServiceTestBase.CausesStatuses({200, 409})
class FetchFailuresIT extends CommitServiceTestBase {

    @Test
    void aMissingRepositoryFailsOnceAndIsAcked() throws Exception {
        UUID projectId = UUID.randomUUID();
        UUID fetchId = UUID.randomUUID();
        publish(FetchRequested.of(projectId, SERVER.url("acme", "no-such-repository"), fetchId));

        List<Event> events = results(fetchId);

        assertThat(events).hasSize(2);
        FetchFailed failed = (FetchFailed) events.get(1);
        assertThat(failed.reason()).isEqualTo(FailureReason.REPOSITORY_NOT_FOUND);
        assertThat(failed.retryable()).isFalse();
        assertThat(laterResults(fetchId, Duration.ofSeconds(1))).as("no result after the failure").isEmpty();
        assertThat(rabbit.receive(AmqpNames.PROJECT_WORK_DLQ, 500)).isNull();
        HttpResponse<String> commits = get("/api/projects/" + projectId + "/commits");
        assertThat(commits.statusCode()).isEqualTo(409);
        assertThat(json.readTree(commits.body()).get("reason").asString()).isEqualTo("REPOSITORY_NOT_FOUND");
    }

    @Test
    void aPrivateRepositoryFailsAsAccessDenied() {
        repository("secret", 5);
        SERVER.makePrivate("acme", "secret");
        UUID fetchId = UUID.randomUUID();
        publish(FetchRequested.of(UUID.randomUUID(), SERVER.url("acme", "secret"), fetchId));

        FetchFailed failed = (FetchFailed) results(fetchId).get(1);

        assertThat(failed.reason()).isEqualTo(FailureReason.ACCESS_DENIED);
        assertThat(failed.retryable()).isFalse();
    }

    @Test
    void aRefusedUrlFailsWithoutRunningGit() {
        UUID fetchId = UUID.randomUUID();
        long gitRuns = gitRuns();
        publish(FetchRequested.of(UUID.randomUUID(), "https://evil.example.com/a/b", fetchId));

        List<Event> events = results(fetchId);

        assertThat(events).hasSize(1);
        FetchFailed failed = (FetchFailed) events.get(0);
        assertThat(failed.reason()).isEqualTo(FailureReason.INVALID_URL);
        assertThat(failed.message()).startsWith("refused URL: host not allowed");
        assertThat(failed.retryable()).isFalse();
        assertThat(gitRuns()).isEqualTo(gitRuns);
    }

    @Test
    void aStalledServerTimesOutIsRetriedAndThenFailsAsRetryable() {
        repository("stalled", 10);
        SERVER.stall("acme", "stalled");
        UUID fetchId = UUID.randomUUID();
        publish(FetchRequested.of(UUID.randomUUID(), SERVER.url("acme", "stalled"), fetchId));

        FetchFailed failed = (FetchFailed) results(fetchId).get(1);

        assertThat(failed.reason()).isEqualTo(FailureReason.TIMEOUT);
        assertThat(failed.retryable()).isTrue();
        // two attempts (max-attempts=2), each cut at 5 s, and no more: each asked once for the whole clone and once for
        // the first look's shallow one (ADR 0012)
        assertThat(SERVER.requestCount("acme", "stalled")).isEqualTo(4);
        assertThat(laterResults(fetchId, Duration.ofSeconds(2))).as("one result, the failure").isEmpty();
    }

    @Test
    void aRepositoryThatCannotBeReachedIsTriedMaxAttemptsTimesAndEndsInOneRetryableFailure() throws Exception {
        String url = "http://127.0.0.1:" + CLOSED_PORT + "/acme/unreachable";
        long gitRuns = gitRuns();
        UUID fetchId = UUID.randomUUID();

        publish(FetchRequested.of(UUID.randomUUID(), url, fetchId));
        List<Event> events = results(fetchId);

        assertThat(events).hasSize(2);
        FetchFailed failed = (FetchFailed) events.get(1);
        assertThat(failed.reason()).isEqualTo(FailureReason.UNREACHABLE);
        assertThat(failed.retryable()).isTrue();
        assertThat(gitRuns() - gitRuns).as("per attempt (max-attempts=2) the whole clone and the first look's shallow one")
                .isEqualTo(4);
        assertThat(laterResults(fetchId, Duration.ofSeconds(2))).as("one result per fetch").isEmpty();
    }

    @Test
    void aRepositoryOverTheLimitFailsAsTooLargeAndLeavesNothingBehind() {
        repository("huge", 5200);
        UUID projectId = UUID.randomUUID();
        UUID fetchId = UUID.randomUUID();
        publish(FetchRequested.of(projectId, SERVER.url("acme", "huge"), fetchId));

        FetchFailed failed = (FetchFailed) results(fetchId).get(1);

        assertThat(failed.reason()).isEqualTo(FailureReason.TOO_LARGE);
        assertThat(failed.retryable()).isFalse();
        assertThat(failed.message()).contains("the limit is 5000");
        assertThat(mongo.getDb().getCollection(io.commitviewer.commit.store.StoreCollections.COMMITS).countDocuments(new org.bson.Document("projectId", projectId.toString())))
                .isZero();
    }

    @Test
    void aFailedRefreshLeavesThePreviousSetServed() throws Exception {
        ServedRepository repository = repository("frozen", 700);
        UUID projectId = UUID.randomUUID();
        fetch(projectId, "frozen");
        List<String> before = repository.revListBranches();
        repository.addCommits("main", 5);
        SERVER.stall("acme", "frozen");
        UUID refresh = UUID.randomUUID();

        publish(FetchRequested.of(projectId, SERVER.url("acme", "frozen"), refresh));
        FetchFailed failed = (FetchFailed) results(refresh).get(1);

        assertThat(failed.reason()).isEqualTo(FailureReason.TIMEOUT);
        HttpResponse<String> page = get("/api/projects/" + projectId + "/commits?limit=1");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(json.readTree(page.body()).get("totalCount").asLong()).isEqualTo(700);
        assertThat(walk(projectId, 100)).containsExactlyElementsOf(before);
    }

    @Test
    void aFullListingAfterAnEvictionThatFailsTakesBackOnlyWhatItAdded() throws Exception {
        assertAFetchOverTheLimitKeepsThePreviousSet("evicted-fails", true);
    }

    @Test
    void aRefreshOverTheLimitTakesBackWhatItAddedAndKeepsThePreviousSet() throws Exception {
        assertAFetchOverTheLimitKeepsThePreviousSet("grows-too-much", false);
    }

    /**
     * A served project of 700 commits grows to 5,100, over the limit of 5,000: its next fetch
     * (a refresh, or a full listing when the mirror was evicted) finds that out while listing,
     * after it inserted, and must leave exactly the previous set.
     */
    private void assertAFetchOverTheLimitKeepsThePreviousSet(String name, boolean evictMirrorFirst) throws Exception {
        ServedRepository repository = repository(name, 700);
        UUID projectId = UUID.randomUUID();
        fetch(projectId, name);
        List<String> before = repository.revListBranches();
        repository.addCommits("main", 4400);
        if (evictMirrorFirst) {
            evictMirror(name);
        }
        UUID refresh = UUID.randomUUID();

        publish(FetchRequested.of(projectId, SERVER.url("acme", name), refresh));
        FetchFailed failed = (FetchFailed) results(refresh).get(1);

        assertThat(failed.reason()).isEqualTo(FailureReason.TOO_LARGE);
        assertThat(mongo.getDb().getCollection(io.commitviewer.commit.store.StoreCollections.COMMITS).countDocuments(new org.bson.Document("projectId", projectId.toString())))
                .isEqualTo(700);
        assertThat(walk(projectId, 100)).containsExactlyElementsOf(before);
    }
}
