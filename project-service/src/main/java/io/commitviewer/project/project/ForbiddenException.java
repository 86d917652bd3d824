package io.commitviewer.project.project;

/** The caller's key may not change this project: another key added it, and the caller's is not an admin key. */
public class ForbiddenException extends RuntimeException {

    ForbiddenException(String message) {
        super(message);
    }
}
