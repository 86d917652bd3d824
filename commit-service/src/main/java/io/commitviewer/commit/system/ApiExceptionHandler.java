package io.commitviewer.commit.system;

import com.mongodb.MongoException;
import io.commitviewer.commit.commits.CommitErrorBody;
import io.commitviewer.commit.commits.ProjectDirectory;
import io.commitviewer.commit.config.CommitServiceProperties;
import io.commitviewer.commit.commits.AmbiguousShaException;
import io.commitviewer.commit.commits.InvalidRequestException;
import io.commitviewer.commit.commits.NotFoundException;
import io.commitviewer.commit.commits.NotReadyException;
import io.commitviewer.commit.commits.PageTooDeepException;
import io.commitviewer.commit.commits.ScansBusyException;
import io.commitviewer.support.ProblemDetailsExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** The commit API's errors as problems (the rest: {@link ProblemDetailsExceptionHandler}); 202 before the first fetch is done. */
@RestControllerAdvice
class ApiExceptionHandler extends ProblemDetailsExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    private final long retryAfterSeconds;

    ApiExceptionHandler(CommitServiceProperties properties) {
        this.retryAfterSeconds = Math.max(1, properties.api().retryAfter().toSeconds());
    }

    @ExceptionHandler(NotFoundException.class)
    ProblemDetail notFound(NotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, e.slug(), "Not found", e.getMessage());
    }

    @ExceptionHandler(InvalidRequestException.class)
    ProblemDetail invalid(InvalidRequestException e) {
        return problem(HttpStatus.BAD_REQUEST, e.slug(), "Invalid request", e.getMessage());
    }

    @ExceptionHandler(AmbiguousShaException.class)
    ProblemDetail ambiguous(AmbiguousShaException e) {
        ProblemDetail problem = problem(HttpStatus.CONFLICT, "ambiguous-sha", "Ambiguous short sha", e.getMessage());
        problem.setProperty("candidates", e.candidates());
        problem.setProperty("moreCandidates", e.more());
        return problem;
    }

    @ExceptionHandler(PageTooDeepException.class)
    ProblemDetail pageTooDeep(PageTooDeepException e) {
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, e.slug(), "Page too deep", e.getMessage());
        problem.setProperty("maxOffset", e.maxOffset());
        problem.setProperty("cursorListing", e.cursorListing());
        return problem;
    }

    /** MongoDB does not answer (restarting, unreachable): try again later, and nothing said about the project. */
    @ExceptionHandler(MongoException.class)
    ResponseEntity<ProblemDetail> storeUnavailable(MongoException e) {
        log.warn("Commit store unavailable for a read: {}", e.toString());
        return unavailable("store-unavailable", "The commit store does not answer. Try again later.");
    }

    /** Every slot for the scans a read may start is taken: try again in a moment. */
    @ExceptionHandler(ScansBusyException.class)
    ResponseEntity<ProblemDetail> scansBusy(ScansBusyException e) {
        log.info("A read found every scan slot taken: {}", e.getMessage());
        return unavailable("overloaded", e.getMessage());
    }

    /** project-service, asked whether a project this store does not hold exists, does not answer. */
    @ExceptionHandler(ProjectDirectory.UnavailableException.class)
    ResponseEntity<ProblemDetail> directoryUnavailable(ProjectDirectory.UnavailableException e) {
        log.warn("Could not ask project-service about a project: {}", e.getMessage());
        return unavailable("project-service-unavailable",
                "This project's commits are not in the commit store, and project-service does not answer. Try again later.");
    }

    private ResponseEntity<ProblemDetail> unavailable(String slug, String detail) {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds))
                .body(problem(HttpStatus.SERVICE_UNAVAILABLE, slug, "Service unavailable", detail));
    }

    /** 202 + Retry-After while the first fetch runs; 409 problem with the reason if it failed. */
    @ExceptionHandler(NotReadyException.class)
    ResponseEntity<Object> notReady(NotReadyException e) {
        if (e.failureReason() != null) {
            ProblemDetail problem = problem(HttpStatus.CONFLICT, "fetch-failed", "The repository could not be fetched", e.getMessage());
            problem.setProperty("reason", e.failureReason());
            return ResponseEntity.status(HttpStatus.CONFLICT).body(problem);
        }
        return ResponseEntity.accepted().cacheControl(CacheControl.noStore()).header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, e.retryAfter().toSeconds())))
                .body(new CommitErrorBody(e.projectId(), e.status(), e.getMessage()));
    }
}
