package io.commitviewer.common.git;

import static org.assertj.core.api.Assertions.assertThat;

import io.commitviewer.common.url.AllowedOrigins;
import io.commitviewer.common.url.RepositoryUrlPolicy;
import io.commitviewer.testsupport.GitCli;
import io.commitviewer.testsupport.ServedRepository;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parser on what a real {@code git log} writes for hostile messages and odd shapes of history. */
class GitLogWithRealGitTests {

    @TempDir
    static Path dir;

    static ServedRepository repository;
    static Map<String, byte[]> messages = new LinkedHashMap<>();
    static List<GitCommit> commits = new ArrayList<>();

    @BeforeAll
    static void writeHistory() throws Exception {
        ByteArrayOutputStream controls = new ByteArrayOutputStream();
        for (int b = 1; b <= 0x1F; b++) {
            controls.write(b);
        }
        controls.writeBytes("\u001e end".getBytes(StandardCharsets.US_ASCII));
        messages.put("controls", controls.toByteArray());
        messages.put("emoji", "Ship it 🚀🎉 naïve 日本語".getBytes(StandardCharsets.UTF_8));
        messages.put("invalid", new byte[] {'B', 'a', 'd', ' ', (byte) 0xC3, (byte) 0x28, ' ', (byte) 0xFF});
        messages.put("empty", new byte[0]);
        messages.put("huge", "m".repeat(1 << 20).getBytes(StandardCharsets.US_ASCII));
        messages.put("format-lookalike", "%H%x00 \\0 \"q\"".getBytes(StandardCharsets.US_ASCII));

        repository = ServedRepository.init(dir.resolve("odd.git"));
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        int mark = 0;
        long time = 1_700_000_000L;
        // two roots: main and an unrelated history on "other"
        for (String branch : List.of("main", "other")) {
            mark++;
            commit(stream, branch, mark, time += 60, "root of " + branch, List.of());
        }
        for (Map.Entry<String, byte[]> entry : messages.entrySet()) {
            mark++;
            commit(stream, "main", mark, time += 60, entry.getValue(), List.of(mark - 1 == 2 ? 1 : mark - 1));
        }
        int mainTip = mark;
        List<Integer> sideTips = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            mark++;
            commit(stream, "side-" + i, mark, time += 60, "side " + i, List.of(1));
            sideTips.add(mark);
        }
        mark++;
        commit(stream, "main", mark, time += 60, "merge other", List.of(mainTip, 2));
        int merge = mark;
        List<Integer> octopus = new ArrayList<>(List.of(merge));
        octopus.addAll(sideTips);
        mark++;
        commit(stream, "main", mark, time += 60, "octopus of eight", octopus);
        stream.writeBytes("done\n".getBytes(StandardCharsets.US_ASCII));
        GitCli.run(repository.dir(), stream.toByteArray(), List.of("fast-import", "--quiet", "--done", "--force"));

        RepositoryUrlPolicy policy = new RepositoryUrlPolicy(AllowedOrigins.parse("http://127.0.0.1:9"));
        Git git = new Git(GitSettings.defaults(policy.allowedOrigins()).withMaxMessageBytes(2 << 20));
        git.open(policy.parse("http://127.0.0.1:9/fixture/odd"), repository.dir()).forEachCommit(commits::add);
    }

    private static void commit(ByteArrayOutputStream out, String branch, int mark, long time, Object message, List<Integer> parents) {
        byte[] bytes = message instanceof byte[] raw ? raw : ((String) message).getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder()
                .append("commit refs/heads/").append(branch).append('\n')
                .append("mark :").append(mark).append('\n')
                .append("author A U Thor <author@example.com> ").append(time).append(" +0530\n")
                .append("committer C O Mitter <committer@example.com> ").append(time).append(" -0800\n")
                .append("data ").append(bytes.length).append('\n');
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(bytes);
        StringBuilder tail = new StringBuilder("\n");
        for (int i = 0; i < parents.size(); i++) {
            tail.append(i == 0 ? "from :" : "merge :").append(parents.get(i)).append('\n');
        }
        out.writeBytes(tail.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static GitCommit bySubjectPrefix(String prefix) {
        return commits.stream().filter(c -> c.message().startsWith(prefix)).findFirst().orElseThrow();
    }

    @Test
    void listsExactlyWhatRevListListsInTheSameOrder() {
        assertThat(commits).extracting(GitCommit::sha).containsExactlyElementsOf(repository.revListBranches());
    }

    @Test
    void keepsHostileMessagesIntact() {
        String controls = new String(messages.get("controls"), StandardCharsets.UTF_8);
        assertThat(commits).anySatisfy(c -> assertThat(c.message()).isEqualTo(controls.replaceAll("\n+$", "")));
        assertThat(bySubjectPrefix("Ship it").message()).isEqualTo("Ship it 🚀🎉 naïve 日本語");
        assertThat(bySubjectPrefix("Bad ").message()).isEqualTo("Bad \uFFFD( \uFFFD");
        assertThat(bySubjectPrefix("%H").message()).isEqualTo("%H%x00 \\0 \"q\"");
        assertThat(bySubjectPrefix("mmm").message()).hasSize(1 << 20);
        assertThat(commits).filteredOn(c -> c.message().isEmpty()).hasSize(1);
    }

    @Test
    void reportsRootsMergesAndAnOctopusOfEight() {
        assertThat(commits).filteredOn(c -> c.parents().isEmpty()).hasSize(2);
        assertThat(bySubjectPrefix("merge other").parents()).hasSize(2);
        assertThat(bySubjectPrefix("octopus").parents()).hasSize(8);
    }

    @Test
    void keepsTheRecordedOffsets() {
        GitCommit any = commits.get(0);
        assertThat(any.author().date().getOffset().getTotalSeconds()).isEqualTo(5 * 3600 + 1800);
        assertThat(any.committer().date().getOffset().getTotalSeconds()).isEqualTo(-8 * 3600);
        assertThat(any.author().email()).isEqualTo("author@example.com");
        assertThat(any.committer().name()).isEqualTo("C O Mitter");
    }

    /**
     * Issue 24, finding 4: a date git stores but will not print in ISO form ({@code 0 -9959}:
     * {@code fatal: Timestamp before Unix epoch}) no longer fails the listing; every commit of the
     * extreme dates is listed, that one at 1970 in UTC, flagged.
     */
    @Test
    void aDateGitCannotPrintAsIsoIsListedClampedToUtc(@TempDir Path extreme) {
        ServedRepository dates = ServedRepository.init(extreme.resolve("dates.git"));
        io.commitviewer.testsupport.HostileRepositories.write(io.commitviewer.testsupport.HostileRepositories.Case.EXTREME_DATES, dates);
        RepositoryUrlPolicy policy = new RepositoryUrlPolicy(AllowedOrigins.parse("http://127.0.0.1:9"));
        List<GitCommit> listed = new ArrayList<>();
        new Git(GitSettings.defaults(policy.allowedOrigins())).open(policy.parse("http://127.0.0.1:9/fixture/dates"), dates.dir())
                .forEachCommit(listed::add);

        assertThat(listed).hasSize(io.commitviewer.testsupport.HostileRepositories.EXTREME_DATES.size());
        GitCommit unprintable = listed.stream().filter(commit -> commit.message().equals("at 0 -9959")).findFirst().orElseThrow();
        assertThat(unprintable.author().date()).isEqualTo(java.time.OffsetDateTime.parse("1970-01-01T00:00:00Z"));
        assertThat(unprintable.clamped()).containsExactly("author.date", "committer.date");
    }
}
