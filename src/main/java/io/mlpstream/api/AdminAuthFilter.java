package io.mlpstream.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Guards the admin endpoints (model snapshot download and upload, run-time hyper-parameters) before
 * anything else happens, the body included: no credentials gets 401 whatever the content type, a
 * non-admin user gets 403. Credentials: Basic authentication, or an X-API-Key header.
 */
@Provider
@PreMatching
public class AdminAuthFilter implements ContainerRequestFilter {

    @ConfigProperty(name = "mlp.api.admin-user", defaultValue = "admin")
    String adminUser;

    @ConfigProperty(name = "mlp.api.admin-password")
    Optional<String> adminPassword;

    @ConfigProperty(name = "mlp.api.admin-key")
    Optional<String> adminKey;

    @ConfigProperty(name = "mlp.api.viewer-user", defaultValue = "viewer")
    String viewerUser;

    @ConfigProperty(name = "mlp.api.viewer-password")
    Optional<String> viewerPassword;

    @Override
    public void filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api/model/snapshot") && !path.startsWith("/api/model/hyperparameters")) {
            return;
        }
        String key = request.getHeaderString("X-API-Key");
        if (key != null && adminKey.isPresent() && same(key, adminKey.get())) {
            return;
        }
        String[] basic = basic(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (basic != null) {
            if (basic[0].equals(adminUser) && adminPassword.isPresent() && same(basic[1], adminPassword.get())) {
                return;
            }
            if (basic[0].equals(viewerUser) && viewerPassword.isPresent() && same(basic[1], viewerPassword.get())) {
                request.abortWith(Problems.of(403, "Forbidden", "user " + viewerUser + " is not an admin"));
                return;
            }
        }
        String detail = adminPassword.isEmpty() && adminKey.isEmpty()
                ? "admin credentials are not configured (set MLP_API_ADMIN_PASSWORD or MLP_API_ADMIN_KEY)"
                : "admin credentials required (Basic authentication or X-API-Key)";
        var response = Problems.of(401, "Unauthorized", detail);
        request.abortWith(jakarta.ws.rs.core.Response.fromResponse(response)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"mlp-stream\"").build());
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
