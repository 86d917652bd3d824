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

    @Test
    void tagsOfEveryKindAreRefsAsGitReadsThemAndFollowUpstream() throws Exception {
        ServedRepository repository = served("tagged");
        repository.tagEveryKind(false);
        UUID projectId = UUID.randomUUID();
        long total = fetch(projectId, "tagged").commitCount();

        // every branch's history is the default listing and the project's count; commits only tags reach are served through them
        assertThat(total).isEqualTo(repository.revListBranches().size());
        assertListing(projectId, repository, "", "--branches");
        assertRefs(projectId, repository, 2);
        for (String tag : List.of("light", "v9.9", "rc-9", "nested")) {
            assertListing(projectId, repository, "ref=" + encode(tag), "refs/tags/" + tag);
        }
        assertListing(projectId, repository, "ref=feature%2Ftopic-1", "refs/tags/feature/topic-1"); // the tag wins, as in git
        assertListing(projectId, repository, "branch=feature%2Ftopic-1", "refs/heads/feature/topic-1");
        assertListing(projectId, repository, "base=main&head=v9.9", "main..v9.9");
        assertListing(projectId, repository, "q=release%2F9", "--branches", "-i", "-F", "--grep=release/9");
        assertListing(projectId, repository, "q=release%2F9&ref=nested", "-i", "-F", "--grep=release/9", "nested");
        String released = repository.revList("v9.9").get(0);
        assertThat(json.readTree(get("/api/projects/" + projectId + "/commits/" + released).body()).get("sha").asString())
                .isEqualTo(released);
        assertProblem(get("/api/projects/" + projectId + "/commits?ref=on-a-tree"), 404, "ref-not-found", "no branch, tag or commit");

        // upstream a tag moves and two go: the refresh follows, and the commit only they reached leaves
        repository.git("tag", "-f", "light", repository.tip("feature/topic-2"));
        repository.git("tag", "-d", "v9.9", "nested");
        fetch(projectId, "tagged");
        assertRefs(projectId, repository, 2);
        assertListing(projectId, repository, "ref=light", "refs/tags/light");
        assertListing(projectId, repository, "ref=rc-9", "refs/tags/rc-9");
        assertProblem(get("/api/projects/" + projectId + "/commits?ref=v9.9"), 404, "ref-not-found", "v9.9");
        assertProblem(get("/api/projects/" + projectId + "/commits/" + released), 404, "commit-not-found", released);
        assertListing(projectId, repository, "", "--branches");
    }

    @Test
    void tenThousandTagsAreListedCountedAndEachOneARef() throws Exception {
        ServedRepository repository = SERVER.repository("acme", "many-tags");
        repository.load(SyntheticHistory.builder().commits(3000).branches(3).tags(0).build());
        List<String> main = repository.revList("refs/heads/main");
        StringBuilder refs = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            refs.append("create refs/tags/build-").append(i).append(' ').append(main.get(i % main.size())).append('\n');
        }
        io.commitviewer.testsupport.GitCli.run(repository.dir(), refs.toString().getBytes(StandardCharsets.UTF_8),
                List.of("update-ref", "--stdin"));
        UUID projectId = UUID.randomUUID();
        fetch(projectId, "many-tags");

        JsonNode listed = json.readTree(get("/api/projects/" + projectId + "/refs").body());
        assertThat(listed.get("tags")).hasSize(10_000);
        assertThat(listed.get("skippedTags").asLong()).isZero();
        Map<String, String> tips = new HashMap<>();
        listed.get("tags").forEach(tag -> tips.put(tag.get("name").asString(), tag.get("tip").asString()));
        assertThat(tips.get("build-9999")).isEqualTo(main.get(9999 % main.size()));
        assertListing(projectId, repository, "ref=build-4321", "refs/tags/build-4321");
        assertListing(projectId, repository, "base=build-7000&head=build-100", "build-7000..build-100");
    }

    /**
     * {@code GET …/refs} is git's: every branch and every tag on a commit (peeled), each with the tip and
     * {@code git rev-list --count}; the tags on trees and blobs counted as skipped.
     */
    private void assertRefs(UUID projectId, ServedRepository repository, long skipped) throws Exception {
        JsonNode refs = json.readTree(get("/api/projects/" + projectId + "/refs").body());
        Map<String, String> branches = new HashMap<>();
        refs.get("branches").forEach(branch -> {
            branches.put(branch.get("name").asString(), branch.get("tip").asString());
            assertThat(branch.get("commitCount").asLong()).isEqualTo(repository.revList("refs/heads/" + branch.get("name").asString()).size());
        });
        assertThat(branches).isEqualTo(repository.branches());
        List<String> expected = new ArrayList<>();
        for (String name : repository.git("for-each-ref", "--format=%(refname:strip=2)", "refs/tags/").split("\n")) {
            String peeled = name.isBlank() ? "" : repository.git("rev-parse", "refs/tags/" + name + "^{}").strip();
            if (!name.isBlank() && repository.git("cat-file", "-t", peeled).strip().equals("commit")) {
                expected.add(name + " " + peeled + " " + repository.revList("refs/tags/" + name).size());
            }
        }
        List<String> tags = new ArrayList<>();
        refs.get("tags").forEach(tag -> tags.add(tag.get("name").asString() + " " + tag.get("tip").asString() + " "
                + tag.get("commitCount").asLong()));
        assertThat(tags).containsExactlyElementsOf(expected);
        assertThat(refs.get("skippedTags").asLong()).isEqualTo(skipped);
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
