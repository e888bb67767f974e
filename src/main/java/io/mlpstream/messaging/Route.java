package io.mlpstream.messaging;

/**
 * What happens to one input record ({@link Positions#route}): whether its predictions are published (a record
 * published before, replayed to be learned again, is not), and which models of the chunk learn it (model k of the
 * chunk learns it when bit k of {@code learners} is set; a model's snapshot may be past it).
 */
record Route(boolean publish, long learners) {
    /** Nothing to do: published before and learned by every model, or its partition was given up. */
    static final Route SKIP = new Route(false, 0);

    boolean learns(int model) {
        return (learners & (1L << model)) != 0;
    }

    boolean skip() {
        return !publish && learners == 0;
    }
}
