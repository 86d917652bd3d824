package io.commitviewer.project.project;

import java.util.UUID;

/** No project has this id. */
public class ProjectNotFoundException extends RuntimeException {

    public ProjectNotFoundException(UUID id) {
        super("no project with id " + id);
    }
}
