package io.commitviewer.project.project;

import io.commitviewer.common.events.Correlation;
import io.commitviewer.common.events.FetchRequested;
import io.commitviewer.common.events.ProjectDeleted;
import io.commitviewer.common.url.RepositoryUrl;
import io.commitviewer.common.url.RepositoryUrlPolicy;
import io.commitviewer.project.config.ProjectServiceProperties;
import io.commitviewer.project.outbox.Outbox;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;

/** Creating, refreshing, listing and deleting projects; every fetch request goes out through the outbox. */
@Service
class ProjectService {

    private static final Logger log = LoggerFactory.getLogger(ProjectService.class);

    private final Projects projects;
    private final Fetches fetches;
    private final Outbox outbox;
    private final RepositoryUrlPolicy policy;
    private final ProjectServiceProperties properties;
    private final Clock clock;

    ProjectService(Projects projects, Fetches fetches, Outbox outbox, RepositoryUrlPolicy policy,
            ProjectServiceProperties properties, Clock clock) {
        this.projects = projects;
        this.fetches = fetches;
        this.outbox = outbox;
        this.policy = policy;
        this.properties = properties;
        this.clock = clock;
    }

    /** A project and its latest fetch. */
    record ProjectView(Project project, Fetch fetch) {
    }

    record Created(ProjectView view, boolean created) {
    }

    record Page(List<ProjectView> items, Optional<PageCursor> next) {
    }

    /** Records the repository (once, whatever the spelling) and requests its first fetch. */
    @Transactional
    Created create(String input) {
        RepositoryUrl url = policy.parse(input);
        Optional<Project> existing = projects.findByIdentityKey(url.identityKey());
        if (existing.isPresent()) {
            return new Created(view(existing.get()), false);
        }
        Instant now = now();
        UUID id = UUID.randomUUID();
        UUID fetchId = UUID.randomUUID();
        int inserted = projects.insertIfAbsent(id, url.canonical(), url.identityKey(), url.owner(), url.name(), fetchId, now);
        if (inserted == 0) {
            // another request created it between our look-up and our insert
            return new Created(view(projects.findByIdentityKey(url.identityKey()).orElseThrow()), false);
        }
        Fetch fetch = fetches.save(new Fetch(fetchId, id, now, FetchReason.CREATED));
        outbox.append(new FetchRequested(UUID.randomUUID(), now, id, url.canonical(), fetchId));
        // the row just inserted, without reading it back
        Project project = new Project(id, url.canonical(), url.identityKey(), url.owner(), url.name(), fetchId, now);
        logQueued(id, fetchId, "created for " + url);
        return new Created(new ProjectView(project, fetch), true);
    }

    /**
     * The project and its current fetch from one snapshot: under READ COMMITTED the two selects
     * could straddle a result's commit and show a succeeded fetch with the previous counts.
     */
    @Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
    ProjectView get(UUID id) {
        return view(projects.findById(id).orElseThrow(() -> new ProjectNotFoundException(id)));
    }

    @Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
    Page list(int limit, PageCursor cursor) {
        List<Project> rows = cursor == null
                ? projects.firstPage(Limit.of(limit + 1))
                : projects.pageAfter(cursor.createdAt(), cursor.id(), Limit.of(limit + 1));
        List<ProjectView> items = rows.stream().limit(limit).map(this::view).toList();
        Optional<PageCursor> next = rows.size() > limit
                ? Optional.of(PageCursor.of(rows.get(limit - 1).createdAt(), rows.get(limit - 1).id()))
                : Optional.empty();
        return new Page(items, next);
    }

    /**
     * Requests a new fetch, unless one is queued or running (and not stale): then that one is
     * returned and nothing is enqueued. The row lock serialises concurrent refreshes.
     */
    @Transactional
    ProjectView refresh(UUID id) {
        Project project = projects.findForUpdate(id).orElseThrow(() -> new ProjectNotFoundException(id));
        Instant now = now();
        Fetch current = fetches.findById(project.currentFetchId()).orElse(null);
        if (current != null && current.blocksRefresh(now, properties.fetch().staleAfter())) {
            return new ProjectView(project, current);
        }
        UUID fetchId = UUID.randomUUID();
        Fetch fetch = fetches.save(new Fetch(fetchId, id, now, FetchReason.REFRESH));
        project.queue(fetchId, now);
        outbox.append(new FetchRequested(UUID.randomUUID(), now, id, project.url(), fetchId));
        logQueued(id, fetchId, "refresh");
        return new ProjectView(project, fetch);
    }

    /** Deletes the project and its fetches, and tells commit-service to drop its data. */
    @Transactional
    void delete(UUID id) {
        Project project = projects.findForUpdate(id).orElseThrow(() -> new ProjectNotFoundException(id));
        projects.delete(project);
        outbox.append(new ProjectDeleted(UUID.randomUUID(), now(), id));
        log.info("Project {} deleted", id);
    }

    /** With the project and fetch in the MDC, like every later line of this fetch in both services. */
    private static void logQueued(UUID projectId, UUID fetchId, String why) {
        try (var p = MDC.putCloseable(Correlation.PROJECT_ID, projectId.toString());
                var f = MDC.putCloseable(Correlation.FETCH_ID, fetchId.toString())) {
            log.info("Project {} {}: fetch {} queued", projectId, why, fetchId);
        }
    }

    private ProjectView view(Project project) {
        return new ProjectView(project, fetches.findById(project.currentFetchId()).orElse(null));
    }

    private Instant now() {
        // PostgreSQL keeps microseconds: a cursor built from a stored timestamp must compare equal
        return Instant.now(clock).truncatedTo(ChronoUnit.MICROS);
    }
}
