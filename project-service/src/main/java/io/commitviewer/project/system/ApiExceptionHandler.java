package io.commitviewer.project.system;

import io.commitviewer.common.url.InvalidRepositoryUrlException;
import io.commitviewer.project.project.ForbiddenException;
import io.commitviewer.project.project.InvalidCursorException;
import io.commitviewer.project.project.LimitExceededException;
import io.commitviewer.project.project.ProjectNotFoundException;
import io.commitviewer.support.ProblemDetailsExceptionHandler;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;

/** The project API's errors as problems (the rest: {@link ProblemDetailsExceptionHandler}). */
@RestControllerAdvice
class ApiExceptionHandler extends ProblemDetailsExceptionHandler {

    @ExceptionHandler(InvalidRepositoryUrlException.class)
    ProblemDetail invalidUrl(InvalidRepositoryUrlException e) {
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "invalid-url", "Invalid repository URL", e.getMessage());
        problem.setProperty("reason", e.reason().slug());
        return problem;
    }

    @ExceptionHandler(ProjectNotFoundException.class)
    ProblemDetail notFound(ProjectNotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, "project-not-found", "Project not found", e.getMessage());
    }

    @ExceptionHandler(ForbiddenException.class)
    ProblemDetail forbidden(ForbiddenException e) {
        return problem(HttpStatus.FORBIDDEN, "forbidden", "Forbidden", e.getMessage());
    }

    /** A key over its quota: 429; the service over its admission bound: 503; both with Retry-After and the limit. */
    @ExceptionHandler(LimitExceededException.class)
    ResponseEntity<ProblemDetail> limitExceeded(LimitExceededException e) {
        boolean quota = e.scope() != LimitExceededException.Scope.ADMISSION;
        HttpStatus status = quota ? HttpStatus.TOO_MANY_REQUESTS : HttpStatus.SERVICE_UNAVAILABLE;
        ProblemDetail problem = problem(status, quota ? "quota-exceeded" : "overloaded", quota ? "Quota exceeded" : "Overloaded",
                e.getMessage());
        problem.setProperty("limit", e.limit());
        problem.setProperty("value", e.value());
        ResponseEntity.BodyBuilder response = ResponseEntity.status(status)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, e.retryAfter().toSeconds())));
        e.rateLimit().ifPresent(limit -> response.header(io.commitviewer.project.project.RateLimit.POLICY_HEADER, limit.policy())
                .header(io.commitviewer.project.project.RateLimit.HEADER, limit.state()));
        return response.body(problem);
    }

    @ExceptionHandler(InvalidCursorException.class)
    ProblemDetail invalidCursor(InvalidCursorException e) {
        return problem(HttpStatus.BAD_REQUEST, "invalid-cursor", "Invalid cursor", e.getMessage());
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PayloadTooLargeException tooLarge) {
                return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE)
                        .body(problem(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "Payload too large", tooLarge.getMessage()));
            }
        }
        return super.handleExceptionInternal(e,
                problem(status, "malformed-request", "Malformed request", "the request body is not valid JSON of the expected shape"),
                headers, status, request);
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException e, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = problem(status, "validation", "Invalid request", "the request has invalid fields");
        problem.setProperty("errors", e.getBindingResult().getFieldErrors().stream()
                .map(error -> Map.of("field", error.getField(), "message", String.valueOf(((FieldError) error).getDefaultMessage())))
                .toList());
        return super.handleExceptionInternal(e, problem, headers, status, request);
    }
}
