package io.mlpstream.api;

import io.mlpstream.service.ApiConfig;
import io.mlpstream.service.MlpConfig;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Guards the admin endpoints (model snapshot download and upload, ONNX and safetensors export, run-time
 * hyper-parameters, models added and removed) before
 * anything else happens, the body included: no credentials gets 401 whatever the content type, a
 * non-admin user gets 403, and a client that sent wrong credentials five times within a minute gets 429
 * ({@link FailedLogins}). Credentials: Basic authentication, or an X-API-Key header.
 */
@Provider
@PreMatching
public class AdminAuthFilter implements ContainerRequestFilter {

    // looked up per request: a @Provider is created at static init, before the configuration mapping exists
    @Inject
    Instance<MlpConfig> config;

    @Inject
    CurrentVertxRequest http;

    private final FailedLogins failed = new FailedLogins(System::currentTimeMillis);

    @Override
    public void filter(ContainerRequestContext request) {
        ApiConfig api = config.get().api();
        String path = request.getUriInfo().getPath();
        if (!isAdmin(request.getMethod(), path)) return;
        String key = request.getHeaderString("X-API-Key");
        String[] basic = basic(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (key == null && basic == null) {
            unauthorized(request);
            return;
        }
        String client = http.getCurrent().request().remoteAddress().hostAddress();
        long wait = failed.blockedForSeconds(client);
        if (wait > 0) {
            request.abortWith(Response.fromResponse(Problems.of(429, "Too many failed logins", FailedLogins.LIMIT
                    + " wrong credentials within a minute: try again in " + wait + " s")).header(HttpHeaders.RETRY_AFTER, wait).build());
            return;
        }
        if (key != null && api.adminKey().isPresent() && same(key, api.adminKey().get())) {
            return;
        }
        if (basic != null) {
            if (basic[0].equals(api.adminUser()) && api.adminPassword().isPresent() && same(basic[1], api.adminPassword().get())) {
                return;
            }
            if (basic[0].equals(api.viewerUser()) && api.viewerPassword().isPresent() && same(basic[1], api.viewerPassword().get())) {
                request.abortWith(Problems.of(403, "Forbidden", "user " + api.viewerUser() + " is not an admin"));
                return;
            }
        }
        failed.failed(client);
        unauthorized(request);
    }

    /** The same answer whether or not credentials are configured: that is no business of an anonymous caller. */
    private static void unauthorized(ContainerRequestContext request) {
        var response = Problems.of(401, "Unauthorized", "admin credentials required (Basic authentication or X-API-Key)");
        request.abortWith(Response.fromResponse(response)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"mlp-stream\"").build());
    }

    /** Snapshots, hyper-parameters, and any change to the set of models (GET /api/models is for everyone). */
    static boolean isAdmin(String method, String path) {
        if (path.startsWith("/api/model/snapshot") || path.startsWith("/api/model/hyperparameters")) return true;
        if (path.startsWith("/api/model/onnx") || path.startsWith("/api/model/export")) return true; // the weights, as a snapshot
        if (path.startsWith("/api/models") && !method.equals("GET") && !method.equals("HEAD")) return true;
        return path.startsWith("/api/models/") && (path.endsWith("/snapshot") || path.endsWith("/hyperparameters"));
    }

    private static String[] basic(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) return null;
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Constant-time comparison, so that timing does not leak how much of a secret matched. */
    private static boolean same(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
