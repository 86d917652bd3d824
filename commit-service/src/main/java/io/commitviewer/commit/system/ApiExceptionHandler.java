package io.commitviewer.commit.system;

import io.commitviewer.commit.commits.CommitErrorBody;
import io.commitviewer.commit.commits.InvalidRequestException;
import io.commitviewer.commit.commits.NotFoundException;
import io.commitviewer.commit.commits.NotReadyException;
import java.net.URI;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/** Every error as an RFC 9457 problem with a stable {@code type}; 202 before the first fetch is done. */
@RestControllerAdvice
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    private static final Map<Class<?>, String> FRAMEWORK_TYPES = Map.of(
            HandlerMethodValidationException.class, "validation",
            HttpMediaTypeNotAcceptableException.class, "not-acceptable",
            HttpRequestMethodNotSupportedException.class, "method-not-allowed",
            NoResourceFoundException.class, "not-found",
            TypeMismatchException.class, "invalid-parameter");

    private static ProblemDetail problem(HttpStatusCode status, String slug, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create("/problems/" + slug));
        problem.setTitle(title);
        return problem;
    }

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

    @ExceptionHandler(Exception.class)
    ProblemDetail unexpected(Exception e) {
        log.error("Unexpected error", e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "Internal error", "the request failed on our side; it has been logged");
    }

    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception e, Object body, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = body instanceof ProblemDetail detail ? detail
                : body == null && e instanceof ErrorResponse response ? response.getBody() : null;
        if (problem != null && (problem.getType() == null || "about:blank".equals(problem.getType().toString()))) {
            String slug = FRAMEWORK_TYPES.entrySet().stream().filter(entry -> entry.getKey().isInstance(e))
                    .map(Map.Entry::getValue).findFirst().orElse("http-" + status.value());
            problem.setType(URI.create("/problems/" + slug));
        }
        return super.handleExceptionInternal(e, body, headers, status, request);
    }
}
