package io.commitviewer.common.git;

import java.time.OffsetDateTime;

/** Author or committer: name, email and the date with the offset it was recorded in. */
public record Signature(String name, String email, OffsetDateTime date) {
}
