package io.mlpstream.api;

import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/** Errors as JSON problem details (RFC 9457): status, title, detail. */
final class Problems {
    private Problems() {
    }

    static Response of(int status, String title, String detail) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("status", status);
        problem.put("title", title);
        problem.put("detail", detail);
        return Response.status(status).type("application/problem+json").entity(problem).build();
    }
}
