package io.commitviewer.project.project;

import io.commitviewer.common.events.Correlation;
import io.commitviewer.common.events.FetchRequested;
import io.commitviewer.common.events.ProjectDeleted;
import io.commitviewer.common.url.RepositoryUrl;
import io.commitviewer.common.url.RepositoryUrlPolicy;
import io.commitviewer.project.access.Caller;
import io.commitviewer.project.config.ProjectServiceProperties;
import io.commitviewer.project.outbox.Outbox;
import java.time.Clock;
import java.time.Duration;
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
    private final Limits limits;
    private final KeyLedger ledger;
    private final Clock clock;

    ProjectService(Projects projects, Fetches fetches, Outbox outbox, RepositoryUrlPolicy policy,
            ProjectServiceProperties properties, Limits limits, KeyLedger ledger, Clock clock) {
        this.ledger = ledger;
        this.projects = projects;
        this.fetches = fetches;
        this.outbox = outbox;
        this.policy = policy;
        this.properties = properties;
        this.limits = limits;
        this.clock = clock;
    }

    /** A project and its latest fetch. */
    record ProjectView(Project project, Fetch fetch) {
    }

    /** @param rateLimit where the caller's key stands on its hourly creates once this one is counted; empty if none was */
    record Created(ProjectView view, boolean created, Optional<RateLimit> rateLimit) {
    }

    record Page(List<ProjectView> items, Optional<PageCursor> next) {
    }

    /** What a refresh did: queued a new fetch, returned the one queued or running, or nothing (fetched a moment ago). */
    enum RefreshOutcome { QUEUED, ALREADY_IN_PROGRESS, RECENT }

    /** @param retryAfter with {@code RECENT}: when a refresh would queue a fetch */
    /** @param rateLimit where the caller's key stands on its refreshes once this one is counted; empty if it was not counted */
    record Refreshed(ProjectView view, RefreshOutcome outcome, Duration retryAfter, java.util.Optional<RateLimit> rateLimit) {
    }

    /**
     * Records the repository (once, whatever the spelling) and requests its first fetch; a
     * repository already there is answered as it is, whoever added it. A new one passes the
     * limits first (admission, the caller's quotas).
     */
    @Transactional
    Created create(String input, Caller caller) {
        RepositoryUrl url = policy.parse(input);
        Optional<Project> existing = projects.findByIdentityKey(url.identityKey());
        if (existing.isPresent()) {
            return new Created(view(existing.get()), false, java.util.Optional.empty());
        }
        if (caller.key() != null) {
            ledger.lock(caller.key()); // the key's requests one at a time from here: no two pass the same check
        }
        java.util.Optional<RateLimit> rateLimit = limits.checkCreate(caller);
        Instant now = now();
        UUID id = UUID.randomUUID();
        UUID fetchId = UUID.randomUUID();
        int inserted = projects.insertIfAbsent(id, url.canonical(), url.identityKey(), url.owner(), url.name(), fetchId, now,
                caller.key());
        if (inserted == 0) {
            // another request created it between our look-up and our insert
            return new Created(view(projects.findByIdentityKey(url.identityKey()).orElseThrow()), false, java.util.Optional.empty());
        }
        Fetch fetch = fetches.save(new Fetch(fetchId, id, now, FetchReason.CREATED, caller.key()));
        if (caller.key() != null) {
            ledger.recorded(fetchId, caller.key(), FetchReason.CREATED, now);
        }
        outbox.append(new FetchRequested(UUID.randomUUID(), now, id, url.canonical(), fetchId));
        // the row just inserted, without reading it back
        Project project = new Project(id, url.canonical(), url.identityKey(), url.owner(), url.name(), fetchId, now, caller.key());
        logQueued(id, fetchId, "created for " + url);
        return new Created(new ProjectView(project, fetch), true, rateLimit);
    }

    /**
     * The project and its current fetch from one snapshot: under READ COMMITTED the two selects
     * could straddle a result's commit and show a succeeded fetch with the previous counts.
     */
    @Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
    ProjectView get(UUID id) {
        return view(projects.findById(id).orElseThrow(() -> new ProjectNotFoundException(id)));
    }

    /** The project of a repository, found by any spelling the policy accepts (an invalid URL is refused as by POST). */
    @Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
    ProjectView find(String input) {
        RepositoryUrl url = policy.parse(input);
        return view(projects.findByIdentityKey(url.identityKey()).orElseThrow(() -> new ProjectNotFoundException(url.canonical())));
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
     * returned and nothing is enqueued; or unless the last fetch ended less than
     * {@code min-refresh-interval} ago: then nothing is enqueued either. Otherwise the limits
     * apply. Any key may refresh any project (it is the same repository for everyone); only
     * the key that added a project, or an admin key, may delete it. The row lock serialises
     * concurrent refreshes.
     */
    @Transactional
    Refreshed refresh(UUID id, Caller caller) {
        Project project = projects.findForUpdate(id).orElseThrow(() -> new ProjectNotFoundException(id));
        Instant now = now();
        Fetch current = fetches.findById(project.currentFetchId()).orElse(null);
        if (current != null && current.blocksRefresh(now, properties.fetch().staleAfter())) {
            return new Refreshed(new ProjectView(project, current), RefreshOutcome.ALREADY_IN_PROGRESS, null, java.util.Optional.empty());
        }
        if (current != null && current.finishedAt() != null
                && current.finishedAt().plus(properties.fetch().minRefreshInterval()).isAfter(now)) {
            return new Refreshed(new ProjectView(project, current), RefreshOutcome.RECENT,
                    Duration.between(now, current.finishedAt().plus(properties.fetch().minRefreshInterval())), java.util.Optional.empty());
        }
        if (caller.key() != null) {
            ledger.lock(caller.key());
        }
        java.util.Optional<RateLimit> rateLimit = limits.checkRefresh(caller);
        UUID fetchId = UUID.randomUUID();
        if (current != null) {
            current.supersede(now, fetchId, properties.fetch().staleAfter()); // a stale one ends here, not never
        }
        Fetch fetch = fetches.save(new Fetch(fetchId, id, now, FetchReason.REFRESH, caller.key()));
        if (caller.key() != null) {
            ledger.recorded(fetchId, caller.key(), FetchReason.REFRESH, now);
        }
        project.queue(fetchId, now);
        outbox.append(new FetchRequested(UUID.randomUUID(), now, id, project.url(), fetchId));
        logQueued(id, fetchId, "refresh");
        return new Refreshed(new ProjectView(project, fetch), RefreshOutcome.QUEUED, null, rateLimit);
    }

    /** Deletes the project and its fetches, and tells commit-service to drop its data. */
    @Transactional
    void delete(UUID id, Caller caller) {
        Project project = projects.findForUpdate(id).orElseThrow(() -> new ProjectNotFoundException(id));
        mayDelete(caller, project);
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

    private static void mayDelete(Caller caller, Project project) {
        if (!caller.mayDelete(project.ownerKey())) {
            throw new ForbiddenException("the key " + caller.key() + " may not delete project " + project.id()
                    + ": another key added it");
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
