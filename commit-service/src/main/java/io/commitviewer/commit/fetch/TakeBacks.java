package io.commitviewer.commit.fetch;

import com.mongodb.MongoException;
import io.commitviewer.commit.config.CommitServiceProperties;
import io.commitviewer.commit.project.ProjectLeases;
import io.commitviewer.commit.project.ProjectState;
import io.commitviewer.commit.project.ProjectStates;
import io.commitviewer.commit.store.CommitGraph;
import io.commitviewer.commit.store.CommitGraphs;
import io.commitviewer.commit.store.CommitStore;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of what a fetch removes (ADR 0007, 0010): the take-back of an attempt that never
 * reached its commit point, the sweep after a take-over, and the clean-up after a commit point.
 * What it removes is judged by the project's state as the store holds it now, never by a state
 * held in memory: a commit point whose reply was lost did apply, and the generation it serves
 * must not be taken back (issue 23, finding 1).
 */
class TakeBacks {

    private static final Logger log = LoggerFactory.getLogger(TakeBacks.class);

    private final ProjectStates states;
    private final CommitStore store;
    private final CommitGraphs graphs;
    private final CommitServiceProperties.Ingest settings;

    TakeBacks(ProjectStates states, CommitStore store, CommitGraphs graphs, CommitServiceProperties.Ingest settings) {
        this.states = states;
        this.store = store;
        this.graphs = graphs;
        this.settings = settings;
    }

    /**
     * Takes back what the attempt {@code remembered} names wrote — its commits (every commit of
     * the project, before anything was ever served) and every generation of branches and graphs
     * but the served one — unless the stored state serves that very attempt: then its commit point
     * applied though its writer never heard so, nothing is removed, and the stored state is
     * returned. Idempotent; throws if the store does not answer (then nothing was judged, and the
     * attempt stays named for whoever comes next). Never removes what a later writer wrote.
     */
    Optional<ProjectState> takeBack(ProjectState remembered, ProjectLeases.Lease lease) {
        if (remembered.current() == null || remembered.current().attemptId() == null) {
            return Optional.empty();
        }
        String projectId = remembered.projectId();
        String attempt = remembered.current().attemptId();
        ProjectState stored = states.find(projectId).orElse(null);
        if (stored != null && stored.ready() && attempt.equals(stored.served().branchGeneration())) {
            log.warn("Attempt {} reached its commit point though its writer did not hear so: nothing taken back", attempt);
            return Optional.of(stored);
        }
        if (stored != null && stored.ready()) {
            log.info("Took back attempt {}: {} commits it inserted", attempt, store.commits().deleteInsertedBy(projectId, attempt, lease.token()));
        } else {
            store.commits().deleteAll(projectId, lease.token()); // nothing was ever served
            log.info("Took back attempt {}: every commit, none was served yet", attempt);
        }
        store.deleteGenerationsBut(projectId, stored != null && stored.ready() ? stored.served().branchGeneration() : null, lease.token());
        return Optional.empty();
    }

    /**
     * Takes back what writers whose lease lapsed may have left besides the attempt the state names
     * (ADR 0010): every commit the served generation does not name (all of them before a first
     * success), and every generation of branches but the served one; not what a later writer wrote.
     */
    void sweep(ProjectState state, ProjectLeases.Lease lease) {
        String projectId = state.projectId();
        if (state.ready()) {
            ProjectState.Served served = state.served();
            CommitGraph graph = graphs.served(projectId, served.branchGeneration(), served.fetchId(), served.tips());
            log.info("Swept {} commits no served generation names", store.commits().sweep(projectId, sha -> graph.rankOf(sha) >= 0, lease.token()));
        } else {
            store.commits().deleteAll(projectId, lease.token());
        }
        store.deleteGenerationsBut(projectId, state.ready() ? state.served().branchGeneration() : null, lease.token());
    }

    /**
     * After a writer found its lease lost: if that is because the project was deleted (the
     * deletion took the lease from a writer paused past it), removes what this writer may have
     * written since the deletion ran, for no later writer will (issue 23, finding 4). Best effort:
     * the store failing here leaves those commits to no one, which the log says.
     */
    void afterLeaseLost(String projectId, ProjectLeases.Lease lease) {
        try {
            if (states.isDeleted(projectId)) {
                store.deleteProject(projectId, lease.token());
                log.info("Project deleted while this writer held it: what it wrote is removed");
            }
        } catch (MongoException e) {
            log.warn("Project deleted while this writer held it; what it wrote could not be removed: {}", e.toString());
        }
    }

    /**
     * After the commit point: removes the commits that left every branch and the branches and
     * graphs of earlier generations, but what a later writer wrote. A failure here leaves them for
     * later (a sweep, or the next full listing): nothing served names them.
     */
    void afterCommit(String projectId, Ingestion.Result result, ProjectLeases.Lease lease) {
        try {
            List<String> gone = result.gone();
            for (int from = 0; from < gone.size(); from += settings.batchSize()) {
                store.commits().delete(projectId, gone.subList(from, Math.min(gone.size(), from + settings.batchSize())), lease.token());
            }
            store.deleteGenerationsBut(projectId, result.served().branchGeneration(), lease.token());
        } catch (MongoException e) {
            log.debug("Commits that left every branch, or old branches, left for later: {}", e.toString());
        }
    }
}
