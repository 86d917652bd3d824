package io.commitviewer.support;

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
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * What both services' {@code @RestControllerAdvice} share: every error as an RFC 9457 problem
 * with a stable, relative type ({@code /problems/{slug}}) that clients can switch on — also the
 * errors Spring MVC raises itself, which would otherwise say {@code about:blank} — and unexpected
 * exceptions as a logged 500 that leaks nothing. Each service adds the handlers of its own errors.
 */
public abstract class ProblemDetailsExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsExceptionHandler.class);

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

    public static ProblemDetail problem(HttpStatusCode status, String slug, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(type(slug));
        problem.setTitle(title);
        return problem;
    }

    public static URI type(String slug) {
        return URI.create("/problems/" + slug);
    }

    @ExceptionHandler(Exception.class)
    public ProblemDetail unexpected(Exception e) {
        log.error("Unexpected error", e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "Internal error",
                "the request failed on our side; it has been logged");
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
            problem.setType(type(slug));
        }
        return super.handleExceptionInternal(e, body, headers, status, request);
    }
}
