package io.commitviewer.project.system;

import java.net.URI;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;

/** Problem types: stable, relative URIs ({@code /problems/{slug}}) that clients can switch on. */
final class Problems {

    private Problems() {
    }

    static ProblemDetail of(HttpStatusCode status, String slug, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(type(slug));
        problem.setTitle(title);
        return problem;
    }

    static URI type(String slug) {
        return URI.create("/problems/" + slug);
    }
}
