package io.commitviewer.testsupport;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The contract tests: real responses, recorded while a service's integration tests ran
 * ({@link ContractRecorder}), checked against the service's OpenAPI document (Atlassian's
 * swagger-request-validator; its successor openapi-request-validator needs Java 21): each status
 * code must be documented for its operation, each body
 * must match the documented schema of its media type, documented headers their schemas. A
 * response changed without the document fails here.
 */
public final class ApiContract {

    /** One request and the response the service gave it. */
    public record Exchange(String method, String path, String query, int status, String contentType, Map<String, List<String>> headers,
            String body) {
        @Override
        public String toString() {
            return method + " " + path + (query == null ? "" : "?" + query) + " -> " + status;
        }
    }

    private final OpenApiInteractionValidator validator;

    private ApiContract(String document) {
        this.validator = OpenApiInteractionValidator.createForInlineApiSpecification(document).build();
    }

    public static ApiContract of(Path document) throws IOException {
        return new ApiContract(Files.readString(document));
    }

    /** The violations of the document, one line each (exchange: message), none if every response conforms. */
    public List<String> violations(List<Exchange> exchanges) {
        List<String> violations = new ArrayList<>();
        for (Exchange exchange : exchanges) {
            SimpleResponse.Builder response = SimpleResponse.Builder.status(exchange.status());
            if (exchange.contentType() != null) {
                response.withContentType(exchange.contentType());
            }
            exchange.headers().forEach((name, values) -> response.withHeader(name, values));
            if (exchange.body() != null && !exchange.body().isEmpty()) {
                response.withBody(exchange.body());
            }
            ValidationReport report = validator.validateResponse(exchange.path(), Request.Method.valueOf(exchange.method()),
                    response.build());
            for (ValidationReport.Message message : report.getMessages()) {
                if (message.getLevel() == ValidationReport.Level.ERROR) {
                    violations.add(exchange + ": " + message.getMessage().replace('\n', ' '));
                }
            }
        }
        return violations;
    }
}
