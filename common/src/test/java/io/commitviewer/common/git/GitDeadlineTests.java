package io.commitviewer.common.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.commitviewer.common.url.AllowedOrigins;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Every git command of a fetch ends by the fetch's deadline. */
class GitDeadlineTests {

    private final Git git = new Git(GitSettings.defaults(AllowedOrigins.parse("https://github.com")));

    @Test
    void outsideADeadlineACommandHasItsOwnTimeout() {
        assertThat(GitDeadline.cap(Duration.ofMinutes(10), "fetch")).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void withinADeadlineTheTimeoutIsWhatIsLeftWhenThatIsLess() {
        long inOneMinute = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);

        Duration capped = GitDeadline.within(inOneMinute, () -> GitDeadline.cap(Duration.ofMinutes(10), "fetch"));
        Duration own = GitDeadline.within(inOneMinute, () -> GitDeadline.cap(Duration.ofSeconds(5), "fetch"));

        assertThat(capped).isLessThanOrEqualTo(Duration.ofMinutes(1)).isGreaterThan(Duration.ofSeconds(50));
        assertThat(own).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aNestedDeadlineCannotExtendTheOuterOne() {
        long soon = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long later = System.nanoTime() + TimeUnit.HOURS.toNanos(1);

        Duration capped = GitDeadline.within(soon, () -> GitDeadline.within(later, () -> GitDeadline.cap(Duration.ofMinutes(10), "log")));

        assertThat(capped).isLessThanOrEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aCommandStartedAfterTheDeadlineFailsAtOnceAsATimeoutWithoutRunningGit() {
        long passed = System.nanoTime() - 1;

        assertThatThrownBy(() -> GitDeadline.within(passed, git::version))
                .isInstanceOfSatisfying(GitException.class, e -> assertThat(e.reason()).isEqualTo(FailureReason.TIMEOUT))
                .hasMessageContaining("ran out of time before git version");
        assertThat(git.version()).as("the deadline ends with its scope").startsWith("git version");
    }
}
