package io.commitviewer.project.project;

/** The cursor is not one this service wrote. */
public class InvalidCursorException extends RuntimeException {

    InvalidCursorException() {
        super("the cursor is not valid; use the nextCursor of a previous page");
    }
}
