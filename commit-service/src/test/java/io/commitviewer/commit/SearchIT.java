package io.commitviewer.commit;

import static org.assertj.core.api.Assertions.assertThat;

import io.commitviewer.testsupport.CommitPages;
import io.commitviewer.testsupport.ServedRepository;
import io.commitviewer.testsupport.SyntheticHistory;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Issue 25: the questions a person asks of a history, each one request, each exactly what git
 * answers on the served repository ({@code git rev-list}, in the C locale: ASCII letters fold) —
 * message search, people, any ref, compare, short shas — by cursor with exact totals, combined with
 * each other and with the other filters, on a history of 6 branches, merges, an octopus and
 * messages of every odd kind.
 */
@CommitServiceTestBase.CausesStatuses({200, 400, 404, 409})
class SearchIT extends CommitServiceTestBase {

    private ServedRepository served(String name) {
        ServedRepository repository = SERVER.repository("acme", name);
        repository.load(SyntheticHistory.builder().commits(2500).branches(6).oddMessages(true).build());
        return repository;
    }

    @Test
    void messageSearchAndPeopleListExactlyWhatGitLogFinds() throws Exception {
        ServedRepository repository = served("searched");
        UUID projectId = UUID.randomUUID();
        fetch(projectId, "searched");

        assertListing(projectId, repository, "q=fix", "--branches", "-i", "-F", "--grep=fix");
        assertListing(projectId, repository, "q=PARSER", "--branches", "-i", "-F", "--grep=PARSER");
        assertListing(projectId, repository, "q=Fix&q=cache", "--branches", "-i", "-F", "--all-match", "--grep=Fix", "--grep=cache");
        assertListing(projectId, repository, "q=" + encode("(#12"), "--branches", "-i", "-F", "--grep=(#12");
        assertListing(projectId, repository, "q=" + encode("naïve café"), "--branches", "-i", "-F", "--grep=naïve café");
        assertListing(projectId, repository, "q=" + encode("NAÏVE"), "--branches", "-i", "-F", "--grep=NAÏVE"); // Ï is no ASCII letter
        assertListing(projectId, repository, "q=" + encode("%H%x00"), "--branches", "-i", "-F", "--grep=%H%x00");
        assertListing(projectId, repository, "q=" + encode("a.b*c"), "--branches", "-i", "-F", "--grep=a.b*c"); // fixed, not a pattern
        assertListing(projectId, repository, "q=fix&branch=feature%2Ftopic-2", "-i", "-F", "--grep=fix", "feature/topic-2");

        assertListing(projectId, repository, "author=ada", "--branches", "-i", "-F", "--author=ada");
        assertListing(projectId, repository, "author=LOVELACE", "--branches", "-i", "-F", "--author=LOVELACE");
        assertListing(projectId, repository, "author=" + encode("lace <ada"), "--branches", "-i", "-F", "--author=lace <ada");
        assertListing(projectId, repository, "author=" + encode("Zoë"), "--branches", "-i", "-F", "--author=Zoë");
        assertListing(projectId, repository, "author=" + encode("LOVELACE "), "--branches", "-i", "-F", "--author=LOVELACE ");
        assertListing(projectId, repository, "committer=" + encode("@example.com>"), "--branches", "-i", "-F", "--committer=@example.com>");
        assertListing(projectId, repository, "author=grace&committer=hopper&q=fix", "--branches", "-i", "-F", "--all-match",
                "--author=grace", "--committer=hopper", "--grep=fix");
        List<String[]> rows = rows(repository, "--branches");
        long since = Long.parseLong(rows.get(rows.size() * 3 / 4)[1]);
        long until = Long.parseLong(rows.get(rows.size() / 4)[1]);
        Map<String, Long> committed = new HashMap<>();
        rows.forEach(row -> committed.put(row[0], Long.parseLong(row[1])));
        List<String> inRange = repository.revList("--branches", "-i", "-F", "--all-match", "--grep=the", "--author=o").stream()
                .filter(sha -> committed.get(sha) >= since && committed.get(sha) <= until).toList();
        String dated = "q=the&author=o&since=" + java.time.Instant.ofEpochSecond(since) + "&until=" + java.time.Instant.ofEpochSecond(until);
        assertThat(inRange).isNotEmpty();
        assertThat(CommitPages.walk("http://127.0.0.1:" + port, projectId.toString(), 30, dated)).containsExactlyElementsOf(inRange);
        assertThat(total(projectId, dated)).isEqualTo(inRange.size());
        assertThat(total(projectId, "q=no-message-says-this")).isZero();

        // suggestions: every author whose name or email starts with the prefix, with the commits git counts for them
        Map<String, Long> counts = new HashMap<>();
        for (String[] row : rows) {
            counts.merge(row[2] + "\t" + row[3], 1L, Long::sum);
        }
        JsonNode authors = json.readTree(get("/api/projects/" + projectId + "/authors?prefix=gr&limit=50").body());
        List<String> expected = counts.entrySet().stream()
                .filter(e -> e.getKey().toLowerCase(Locale.ROOT).startsWith("gr") || e.getKey().split("\t")[1].startsWith("gr"))
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(e -> e.getKey() + "\t" + e.getValue()).toList();
        List<String> suggested = new ArrayList<>();
        authors.forEach(a -> suggested.add(a.get("name").asString() + "\t" + a.get("email").asString() + "\t" + a.get("commitCount").asLong()));
        assertThat(suggested).isNotEmpty().containsExactlyInAnyOrderElementsOf(expected);
        assertThat(suggested.stream().map(s -> Long.parseLong(s.substring(s.lastIndexOf('\t') + 1))).toList())
                .isSortedAccordingTo(Comparator.reverseOrder());
        assertThat(json.readTree(get("/api/projects/" + projectId + "/authors?limit=3").body())).hasSize(3);
    }

    @Test
    void anyRefAComparisonAndShortShasAreGitsToo() throws Exception {
        ServedRepository repository = served("refs");
        UUID projectId = UUID.randomUUID();
        fetch(projectId, "refs");
        List<String> main = repository.revList("main");
        String old = main.get(700);

        assertListing(projectId, repository, "ref=main", "main");
        assertListing(projectId, repository, "ref=" + old, old);
        assertListing(projectId, repository, "ref=" + old.substring(0, 12), old);
        assertListing(projectId, repository, "ref=" + old.toUpperCase(Locale.ROOT), old);
        assertListing(projectId, repository, "base=feature%2Ftopic-2&head=main", "feature/topic-2..main");
        assertListing(projectId, repository, "base=main&head=feature%2Ftopic-2", "main..feature/topic-2");
        assertListing(projectId, repository, "base=" + old.substring(0, 10) + "&head=main&q=fix", "-i", "-F", "--grep=fix", old + "..main");
        JsonNode compared = json.readTree(get("/api/projects/" + projectId + "/commits?limit=1&base=feature%2Ftopic-2&head=main").body());
        assertThat(compared.get("aheadBy").asLong()).isEqualTo(repository.revList("feature/topic-2..main").size());
        assertThat(compared.get("behindBy").asLong()).isEqualTo(repository.revList("main..feature/topic-2").size());
        assertThat(compared.get("totalCount").asLong()).isEqualTo(compared.get("aheadBy").asLong());
        assertThat(json.readTree(get("/api/projects/" + projectId + "/commits?limit=1&ref=main").body()).has("aheadBy")).isFalse();

        assertProblem(get("/api/projects/" + projectId + "/commits?ref=no-such-ref"), 404, "ref-not-found", "ref:");
        assertProblem(get("/api/projects/" + projectId + "/commits?base=no-such-ref&head=main"), 404, "ref-not-found", "base:");
        assertProblem(get("/api/projects/" + projectId + "/commits?base=main&head=" + "0".repeat(40)), 404, "ref-not-found", "head:");
        assertProblem(get("/api/projects/" + projectId + "/commits?ref=main..feature"), 400, "invalid-ref", "'..'");

        // short shas: the commit, 409 with the candidates when several commits share the digits, 404 when none, 400 when not hex
        String sha = main.get(3);
        JsonNode one = json.readTree(get("/api/projects/" + projectId + "/commits/" + sha.substring(0, 7)).body());
        assertThat(one.get("sha").asString()).isEqualTo(sha);
        Map<String, List<String>> byPrefix = new HashMap<>();
        for (String commit : repository.revListBranches()) {
            byPrefix.computeIfAbsent(commit.substring(0, 4), prefix -> new ArrayList<>()).add(commit);
        }
        Map.Entry<String, List<String>> shared = byPrefix.entrySet().stream().filter(e -> e.getValue().size() > 1).findFirst().orElseThrow();
        HttpResponse<String> ambiguous = get("/api/projects/" + projectId + "/commits/" + shared.getKey());
        assertProblem(ambiguous, 409, "ambiguous-sha", shared.getKey());
        List<String> candidates = new ArrayList<>();
        json.readTree(ambiguous.body()).get("candidates").forEach(c -> candidates.add(c.asString()));
        assertThat(candidates).containsExactlyInAnyOrderElementsOf(shared.getValue());
        assertProblem(get("/api/projects/" + projectId + "/commits?ref=" + shared.getKey()), 409, "ambiguous-sha", shared.getKey());
        String unused = java.util.stream.IntStream.range(0, 1 << 16).mapToObj(i -> String.format("%04x", i))
                .filter(prefix -> !byPrefix.containsKey(prefix)).findFirst().orElseThrow();
        assertProblem(get("/api/projects/" + projectId + "/commits/" + unused), 404, "commit-not-found", unused);
        assertProblem(get("/api/projects/" + projectId + "/commits/abc"), 400, "invalid-parameter", "4 to 40 hex digits");
        assertProblem(get("/api/projects/" + projectId + "/commits/xyz12"), 400, "invalid-parameter", "4 to 40 hex digits");
    }

    /** The listing, walked by cursor, is exactly {@code git rev-list ARGS} (in order), and its total is their number. */
    private void assertListing(UUID projectId, ServedRepository repository, String query, String... gitArguments) throws Exception {
        List<String> expected = repository.revList(gitArguments);
        assertThat(CommitPages.walk("http://127.0.0.1:" + port, projectId.toString(), 100, query)).as(query)
                .containsExactlyElementsOf(expected);
        assertThat(total(projectId, query)).as(query).isEqualTo(expected.size());
    }

    private long total(UUID projectId, String query) throws Exception {
        HttpResponse<String> response = get("/api/projects/" + projectId + "/commits?limit=1&" + query);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body()).get("totalCount").asLong();
    }

    private void assertProblem(HttpResponse<String> response, int status, String type, String detail) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode problem = json.readTree(response.body());
        assertThat(problem.get("type").asString()).isEqualTo("/problems/" + type);
        assertThat(problem.get("detail").asString()).contains(detail);
    }

    /** sha, committer time, author name, author email of every commit of the revisions, git's order. */
    private static List<String[]> rows(ServedRepository repository, String... revisions) {
        List<String> args = new ArrayList<>(List.of("log", "--format=%H%x09%ct%x09%an%x09%ae"));
        args.addAll(List.of(revisions));
        List<String[]> rows = new ArrayList<>();
        for (String line : repository.git(args.toArray(String[]::new)).split("\n")) {
            if (!line.isBlank()) {
                rows.add(line.split("\t"));
            }
        }
        return rows;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
