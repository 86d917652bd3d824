package io.commitviewer.project.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.commitviewer.project.InfrastructureConfiguration;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.context.annotation.Import;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.data.domain.Limit;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.orm.ObjectOptimisticLockingFailureException;

/** The repositories on real PostgreSQL with the Flyway schema ({@code ddl-auto=validate}). */
@DataJpaTest
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
@Import({InfrastructureConfiguration.class, ProcessedEvents.class})
class ProjectsRepositoryIT {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00.000001Z");

    @Autowired
    Projects projects;

    @Autowired
    Fetches fetches;

    @Autowired
    ProcessedEvents processed;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    EntityManager entities;

    @BeforeEach
    void clear() {
        jdbc.execute("TRUNCATE projects, fetches, outbox, processed_events CASCADE");
    }

    private UUID insert(String name, Instant at) {
        UUID id = UUID.randomUUID();
        assertThat(projects.insertIfAbsent(id, "https://github.com/acme/" + name, "https://github.com/acme/" + name.toLowerCase(),
                "acme", name, UUID.randomUUID(), at, null)).isEqualTo(1);
        return id;
    }

    @Test
    void insertIfAbsentKeepsOneRowPerIdentityKey() {
        UUID first = insert("Widget", T0);

        int second = projects.insertIfAbsent(UUID.randomUUID(), "https://github.com/ACME/widget", "https://github.com/acme/widget",
                "ACME", "widget", UUID.randomUUID(), T0.plusSeconds(1), null);

        assertThat(second).isZero();
        assertThat(projects.findByIdentityKey("https://github.com/acme/widget")).get().extracting(Project::id).isEqualTo(first);
        assertThat(projects.count()).isEqualTo(1);
    }

    @Test
    void theUniqueIndexHoldsEvenWithoutOnConflict() {
        insert("Gadget", T0);
        assertThatThrownBy(() -> jdbc.update("INSERT INTO projects (id, url, identity_key, owner, name, status, current_fetch_id, "
                + "created_at, updated_at) VALUES (?, 'u', 'https://github.com/acme/gadget', 'o', 'n', 'QUEUED', ?, now(), now())",
                UUID.randomUUID(), UUID.randomUUID())).isInstanceOf(DataIntegrityViolationException.class);
    }

    @Test
    void pagesAreNewestFirstWithTiesBrokenById() {
        UUID a = insert("a", T0);
        UUID b = insert("b", T0.plusSeconds(1));
        UUID c = insert("c", T0.plusSeconds(1));
        UUID d = insert("d", T0.plusSeconds(2));
        List<UUID> expected = new java.util.ArrayList<>(List.of(d));
        // PostgreSQL orders uuids as unsigned bytes, like their hex text (not like UUID.compareTo)
        expected.addAll(b.toString().compareTo(c.toString()) > 0 ? List.of(b, c) : List.of(c, b));
        expected.add(a);

        List<Project> first = projects.firstPage(Limit.of(2));
        Project last = first.get(1);
        List<Project> second = projects.pageAfter(last.createdAt(), last.id(), Limit.of(2));
        List<Project> third = projects.pageAfter(second.get(1).createdAt(), second.get(1).id(), Limit.of(2));

        assertThat(first).extracting(Project::id).containsExactlyElementsOf(expected.subList(0, 2));
        assertThat(second).extracting(Project::id).containsExactlyElementsOf(expected.subList(2, 4));
        assertThat(third).isEmpty();
    }

    @Test
    void timestampsRoundTripAtMicrosecondPrecision() {
        Instant at = Instant.parse("2026-05-05T05:05:05.123456Z");
        UUID id = insert("precise", at);
        entities.clear();
        assertThat(projects.findById(id)).get().extracting(Project::createdAt).isEqualTo(at);
    }

    @Test
    void optimisticLockingRefusesAStaleUpdate() {
        UUID id = insert("locked", T0);
        entities.clear();
        Project project = projects.findById(id).orElseThrow();
        entities.detach(project);
        jdbc.update("UPDATE projects SET version = version + 1 WHERE id = ?", id);

        project.queue(UUID.randomUUID(), T0.plusSeconds(5));
        assertThatThrownBy(() -> projects.saveAndFlush(project)).isInstanceOf(ObjectOptimisticLockingFailureException.class);
    }

    @Test
    void fetchesAreDeletedWithTheirProject() {
        UUID id = insert("cascade", T0);
        fetches.saveAndFlush(new Fetch(UUID.randomUUID(), id, T0, FetchReason.CREATED));
        entities.clear();

        projects.deleteById(id);
        projects.flush();

        assertThat(jdbc.queryForObject("SELECT count(*) FROM fetches", Long.class)).isZero();
    }

    @Test
    void countsProjectsByStatusAndRecordsEventsOnce() {
        insert("one", T0);
        insert("two", T0);
        assertThat(projects.countByStatus()).singleElement()
                .satisfies(row -> assertThat(row).containsExactly(ProjectStatus.QUEUED, 2L));

        UUID event = UUID.randomUUID();
        assertThat(processed.markProcessed(event, Instant.now().truncatedTo(ChronoUnit.MICROS))).isTrue();
        assertThat(processed.markProcessed(event, Instant.now().truncatedTo(ChronoUnit.MICROS))).isFalse();
    }
}
