package io.commitviewer.project.project;

import java.util.UUID;

/** No project has this id. */
public class ProjectNotFoundException extends RuntimeException {

    public ProjectNotFoundException(UUID id) {
        super("no project with id " + id);
    }

    /** No project for this repository, in any spelling. */
    public ProjectNotFoundException(String url) {
        super("no project for the repository " + url);
    }
}
