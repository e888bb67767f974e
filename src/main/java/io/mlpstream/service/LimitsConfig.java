package io.mlpstream.service;

import io.smallrye.config.WithDefault;

/** Limits on input sizes, under {@code mlp.limits.}: what a record or a PNG may cost. */
public interface LimitsConfig {
    /** Larger records go to the DLQ as too-large, unparsed. */
    @WithDefault("1048576")
    int maxRecordBytes();

    /** Largest width or height accepted in an image event or a PNG. */
    @WithDefault("4096")
    int maxImageSide();

    /** Largest PNG accepted, in pixels (width x height, read from its header before decoding). */
    @WithDefault("16777216")
    long maxPngPixels();

    /** PNGs decoded at once; one more request gets 429. Decoding a large PNG takes a core for a while. */
    @WithDefault("2")
    int pngConcurrency();
}
