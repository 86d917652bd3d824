package io.commitviewer.project.system;

import io.commitviewer.common.url.InvalidRepositoryUrlException;
import io.commitviewer.project.project.InvalidCursorException;
import io.commitviewer.project.project.ProjectNotFoundException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/** Every error as an RFC 9457 problem with a stable {@code type}. */
@RestControllerAdvice
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    /** Problem types of the errors Spring MVC raises itself. */
    private static final Map<Class<?>, String> FRAMEWORK_TYPES = Map.of(
            MethodArgumentNotValidException.class, "validation",
            HandlerMethodValidationException.class, "validation",
            HttpMessageNotReadableException.class, "malformed-request",
            HttpMediaTypeNotSupportedException.class, "unsupported-media-type",
            HttpMediaTypeNotAcceptableException.class, "not-acceptable",
            HttpRequestMethodNotSupportedException.class, "method-not-allowed",
            NoResourceFoundException.class, "not-found",
            TypeMismatchException.class, "invalid-parameter");

    @ExceptionHandler(InvalidRepositoryUrlException.class)
    ProblemDetail invalidUrl(InvalidRepositoryUrlException e) {
        ProblemDetail problem = Problems.of(HttpStatus.BAD_REQUEST, "invalid-url", "Invalid repository URL", e.getMessage());
        problem.setProperty("reason", e.reason().slug());
        return problem;
    }

    @ExceptionHandler(ProjectNotFoundException.class)
    ProblemDetail notFound(ProjectNotFoundException e) {
        return Problems.of(HttpStatus.NOT_FOUND, "project-not-found", "Project not found", e.getMessage());
    }

    @ExceptionHandler(InvalidCursorException.class)
    ProblemDetail invalidCursor(InvalidCursorException e) {
        return Problems.of(HttpStatus.BAD_REQUEST, "invalid-cursor", "Invalid cursor", e.getMessage());
    }

    @ExceptionHandler(Exception.class)
    ProblemDetail unexpected(Exception e) {
        log.error("Unexpected error", e);
        return Problems.of(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "Internal error",
                "the request failed on our side; it has been logged");
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PayloadTooLargeException tooLarge) {
                return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE)
                        .body(Problems.of(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "Payload too large", tooLarge.getMessage()));
            }
        }
        return super.handleExceptionInternal(e,
                Problems.of(status, "malformed-request", "Malformed request", "the request body is not valid JSON of the expected shape"),
                headers, status, request);
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException e, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = Problems.of(status, "validation", "Invalid request", "the request has invalid fields");
        problem.setProperty("errors", e.getBindingResult().getFieldErrors().stream()
                .map(error -> Map.of("field", error.getField(), "message", String.valueOf(((FieldError) error).getDefaultMessage())))
                .toList());
        return super.handleExceptionInternal(e, problem, headers, status, request);
    }

    /** Gives the problems Spring MVC builds a stable type instead of {@code about:blank}. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception e, Object body, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = body instanceof ProblemDetail detail ? detail
                : body == null && e instanceof ErrorResponse response ? response.getBody() : null;
        if (problem != null && (problem.getType() == null || "about:blank".equals(problem.getType().toString()))) {
            String slug = FRAMEWORK_TYPES.entrySet().stream().filter(entry -> entry.getKey().isInstance(e))
                    .map(Map.Entry::getValue).findFirst().orElse("http-" + status.value());
            problem.setType(Problems.type(slug));
        }
        return super.handleExceptionInternal(e, body, headers, status, request);
    }
}
