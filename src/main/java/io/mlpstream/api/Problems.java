package io.mlpstream.api;

import io.mlpstream.service.Refused;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

/** Errors as JSON problem details (RFC 9457): status, title, detail. */
final class Problems {
    private Problems() {
    }

    record Problem(int status, String title, String detail) {
    }

    static Response of(int status, String title, String detail) {
        return Response.status(status).type("application/problem+json").entity(new Problem(status, title, detail)).build();
    }

    static Response of(Refused refused) {
        return of(refused.status, refused.title, refused.getMessage());
    }

    /** 503 until the model is built or restored, for resources that return records. */
    static WebApplicationException notReady() {
        return new WebApplicationException(of(503, "Not ready", "the model is not loaded yet"));
    }
}
