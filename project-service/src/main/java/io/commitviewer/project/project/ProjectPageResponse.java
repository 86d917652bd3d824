package io.commitviewer.project.project;

import java.util.List;

/** A page of projects, newest first; {@code nextCursor} is null on the last page. */
record ProjectPageResponse(List<ProjectResponse> items, @io.swagger.v3.oas.annotations.media.Schema(nullable = true) String nextCursor) {
}
