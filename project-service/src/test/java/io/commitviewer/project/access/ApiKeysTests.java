package io.commitviewer.project.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTests {

    @TempDir
    Path dir;

    @Test
    void noKeyIsTheOpenMode() {
        assertThat(ApiKeys.parse("", null).open()).isTrue();
        assertThat(ApiKeys.parse(null, Path.of("")).open()).isTrue();
    }

    @Test
    void aTokenIsKnownByItsHashFromTheSettingOrTheFileAndOthersAreNot() throws Exception {
        String ci = newToken();
        String ops = newToken();
        Path file = Files.writeString(dir.resolve("keys"), "# operators\nops:" + ApiKeys.hash(ops) + ":admin\n\n");

        ApiKeys keys = ApiKeys.parse("ci:" + ApiKeys.hash(ci), file);

        assertThat(keys.open()).isFalse();
        assertThat(keys.size()).isEqualTo(2);
        assertThat(keys.authenticate(ci)).contains(new ApiKeys.Key("ci", false));
        assertThat(keys.authenticate(ops)).contains(new ApiKeys.Key("ops", true));
        assertThat(keys.authenticate(newToken())).isEmpty();
        assertThat(keys.authenticate("")).isEmpty();
        assertThat(ci).startsWith("cv_").hasSize(3 + 43);
    }

    @Test
    void scriptsApiKeyShMakesATokenAndTheEntryThatAuthenticatesIt() throws Exception {
        Process process = new ProcessBuilder("bash", Path.of("../scripts/api-key.sh").toString(), "release-bot", "admin")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        String token = output.replaceAll("(?s).*token[^:]*: (\\S+).*", "$1");
        String entry = output.replaceAll("(?s).*entry[^:]*: (\\S+).*", "$1");

        ApiKeys keys = ApiKeys.parse(entry, null);

        assertThat(token).startsWith("cv_").hasSize(3 + 43);
        assertThat(keys.authenticate(token)).contains(new ApiKeys.Key("release-bot", true));
    }

    @Test
    void aMalformedEntryIsRefusedWithoutShowingTheHash() {
        assertThatThrownBy(() -> ApiKeys.parse("ci", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ApiKeys.parse("ci:" + "A".repeat(64), null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ApiKeys.parse("c i:" + "a".repeat(64), null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ApiKeys.parse("ci:" + "a".repeat(64) + ":root", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("a".repeat(64));
        assertThatThrownBy(() -> ApiKeys.parse("ci:" + "a".repeat(64) + ",ci:" + "b".repeat(64), null))
                .hasMessageContaining("two API keys are named ci");
    }

    @Test
    void aCallerMayChangeWhatItsKeyAddedAndAnAdminEverything() {
        assertThat(new Caller("ci", false).mayDelete("ci")).isTrue();
        assertThat(new Caller("ci", false).mayDelete("other")).isFalse();
        assertThat(new Caller("ci", false).mayDelete(null)).isFalse();
        assertThat(new Caller("ops", true).mayDelete("ci")).isTrue();
        assertThat(Caller.ANYONE.mayDelete("ci")).isTrue();
    }

    /** A token as scripts/api-key.sh makes one. */
    private static String newToken() {
        byte[] bytes = new byte[32];
        new java.security.SecureRandom().nextBytes(bytes);
        return "cv_" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
