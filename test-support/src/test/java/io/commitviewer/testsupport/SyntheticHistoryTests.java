package io.commitviewer.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticHistoryTests {

    @TempDir
    Path dir;

    @Test
    void writesTheHistoryItDescribes() {
        ServedRepository repository = ServedRepository.init(dir.resolve("h.git"));
        SyntheticHistory.Summary summary = repository.load(SyntheticHistory.builder().commits(6000).branches(9).tags(4).build());

        assertThat(repository.revListBranches()).hasSize(6000);
        assertThat(repository.branches()).hasSize(summary.branches()).containsKey("main").containsKey("legacy-import");
        assertThat(summary.branches()).isEqualTo(9);
        assertThat(repository.revList("--branches", "--max-parents=0")).hasSize(2);
        assertThat(repository.revList("--branches", "--min-parents=2")).hasSize(summary.merges());
        assertThat(summary.merges()).isGreaterThan(50);
        assertThat(repository.revList("--branches", "--min-parents=8")).hasSize(1);
        assertThat(repository.git("tag", "--list").split("\n")).hasSize(4);
        assertThat(repository.git("cat-file", "-t", "v1.0").strip()).isEqualTo("tag");
    }

    @Test
    void includesHostileMessages() {
        ServedRepository repository = ServedRepository.init(dir.resolve("odd.git"));
        repository.load(SyntheticHistory.builder().commits(6000).build());

        String messages = repository.git("log", "--branches", "--format=%B%x00");
        assertThat(messages).contains("Controls:\u0001\u0002").contains("\u001eseparator").contains("🚀")
                .contains("Windows body\r\n").contains("%H%x00%P");
        assertThat(repository.git("log", "--branches", "--format=%H %s").lines().filter(l -> l.length() == 41)).isNotEmpty();
    }

    @Test
    void sameSettingsGiveTheSameHistory() {
        SyntheticHistory history = SyntheticHistory.builder().commits(500).seed(7).build();
        ServedRepository one = ServedRepository.init(dir.resolve("one.git"));
        ServedRepository two = ServedRepository.init(dir.resolve("two.git"));
        one.load(history);
        two.load(history);
        assertThat(one.branches()).isEqualTo(two.branches());
    }

    @Test
    void addsCommitsForcePushesAndDeletesBranches() {
        ServedRepository repository = ServedRepository.init(dir.resolve("edit.git"));
        repository.load(SyntheticHistory.builder().commits(100).branches(2).build());
        String before = repository.tip("main");

        List<String> added = repository.addCommits("main", 3);
        assertThat(repository.revList("--max-count=4", "main")).containsExactly(added.get(0), added.get(1), added.get(2), before);

        repository.forcePush("main", before);
        assertThat(repository.tip("main")).isEqualTo(before);
        repository.deleteBranch("legacy-import");
        assertThat(repository.branches()).containsOnlyKeys("main");
        List<String> root = repository.addCommits("orphan", 2);
        assertThat(repository.revList("orphan")).containsExactlyElementsOf(root);
    }
}
