package io.mlpstream.service;

import java.util.regex.Pattern;

/**
 * A model's name keys its checkpoints, its training-metrics records, its metrics' {@code model} label and
 * its transactional id, and names it in {@code mlp.models.<name>.*}: lower-case letters, digits and dashes,
 * starting with a letter, so that it is the same in a config key, an environment variable and a URL.
 */
public final class ModelName {
    private static final Pattern VALID = Pattern.compile("[a-z][a-z0-9-]{0,62}");

    private ModelName() {
    }

    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches();
    }

    /** The name, or an IllegalArgumentException that says what a name may be. */
    public static String requireValid(String name) {
        if (name == null || !VALID.matcher(name).matches()) {
            throw new IllegalArgumentException("Invalid model name '" + name + "': use lower-case letters, digits and "
                    + "dashes, starting with a letter, at most 63 characters (e.g. mnist-mlp, sigmoid-deep)");
        }
        return name;
    }
}
