package io.commitviewer.project.system;

import java.io.IOException;

/** The request body is over {@code commitviewer.api.max-request-bytes}. */
class PayloadTooLargeException extends IOException {

    PayloadTooLargeException(long limit) {
        super("request body is larger than " + limit + " bytes");
    }
}
