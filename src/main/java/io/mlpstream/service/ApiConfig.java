package io.mlpstream.service;

import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** The HTTP API's admin credentials and timeouts, under {@code mlp.api.}. */
public interface ApiConfig {
    /** User name for the admin endpoints (Basic authentication). */
    @WithDefault("admin")
    String adminUser();

    /** Unset: the admin endpoints refuse everyone (401). */
    Optional<String> adminPassword();

    /** Alternatively, an API key sent as the X-API-Key header. */
    Optional<String> adminKey();

    /** A read-only user: authenticated, but gets 403 on admin endpoints. */
    @WithDefault("viewer")
    String viewerUser();

    /** How long an admin call waits for the trainer's thread; one it did not get to by then is dropped, 503. */
    @WithDefault("30s")
    Duration adminTimeout();

    Optional<String> viewerPassword();
}
