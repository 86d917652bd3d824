package io.commitviewer.commit.commits;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target of the cursor decoder: a cursor comes back from any client. Without
 * {@code JAZZER_FUZZ} it replays the committed inputs (src/test/resources/…/CommitCursorFuzzTestsInputs);
 * scripts/fuzz.sh fuzzes it.
 */
class CommitCursorFuzzTests {

    private static final String PROJECT = "3f2b8a4e-1c2d-4e5f-9a0b-1c2d3e4f5a6b";

    /**
     * Any cursor is a position in this project's listing that encodes to itself, or a 400
     * invalid-cursor. The fuzzer writes what the cursor decodes to (a client can send the base64
     * of anything), so its comparison hooks see the decoder's checks.
     */
    @FuzzTest(maxDuration = "30s")
    void decode(byte[] decodedCursor) {
        String cursor = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(decodedCursor);
        CommitCursor decoded;
        try {
            decoded = CommitCursor.decode(cursor, PROJECT);
        } catch (InvalidRequestException invalid) {
            assertThat(invalid.slug()).isEqualTo("invalid-cursor");
            return;
        }
        assertThat(decoded.id()).matches(PROJECT + ":[0-9a-f]{40}([0-9a-f]{24})?");
        assertThat(CommitCursor.decode(decoded.encode(), PROJECT)).isEqualTo(decoded);
    }
}
