package io.commitviewer.project.project;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;

/** {@code POST /api/projects} body. */
record CreateProjectRequest(
        @Schema(description = "GitHub repository URL: https://github.com/{owner}/{repo}, .git, SSH or browser forms",
                example = "https://github.com/octocat/Hello-World")
        @NotBlank String url) {
}
