package io.commitviewer.commit.system;

import io.commitviewer.commit.commits.CommitErrorBody;
import io.commitviewer.commit.commits.InvalidRequestException;
import io.commitviewer.commit.commits.NotFoundException;
import io.commitviewer.commit.commits.NotReadyException;
import io.commitviewer.support.ProblemDetailsExceptionHandler;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** The commit API's errors as problems (the rest: {@link ProblemDetailsExceptionHandler}); 202 before the first fetch is done. */
@RestControllerAdvice
class ApiExceptionHandler extends ProblemDetailsExceptionHandler {

    @ExceptionHandler(NotFoundException.class)
    ProblemDetail notFound(NotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, e.slug(), "Not found", e.getMessage());
    }

    @ExceptionHandler(InvalidRequestException.class)
    ProblemDetail invalid(InvalidRequestException e) {
        return problem(HttpStatus.BAD_REQUEST, e.slug(), "Invalid request", e.getMessage());
    }

    /** 202 + Retry-After while the first fetch runs; 409 problem with the reason if it failed. */
    @ExceptionHandler(NotReadyException.class)
    ResponseEntity<Object> notReady(NotReadyException e) {
        if (e.failureReason() != null) {
            ProblemDetail problem = problem(HttpStatus.CONFLICT, "fetch-failed", "The repository could not be fetched", e.getMessage());
            problem.setProperty("reason", e.failureReason());
            return ResponseEntity.status(HttpStatus.CONFLICT).body(problem);
        }
        return ResponseEntity.accepted().header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, e.retryAfter().toSeconds())))
                .body(new CommitErrorBody(e.projectId(), e.status() == null ? "QUEUED" : e.status(), e.getMessage()));
    }
}
