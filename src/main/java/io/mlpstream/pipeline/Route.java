package io.mlpstream.pipeline;

/**
 * What happens to one input record ({@link Positions#route}): whether its predictions are published (a record
 * published before, replayed to be learned again, is not), and which models of the chunk learn it (model k of the
 * chunk learns it when bit k of {@code learners} is set; a model's snapshot may be past it).
 */
record Route(boolean publish, long learners) {
    /** Nothing to do: published before and learned by every model, or its partition was given up. */
    static final Route SKIP = new Route(false, 0);
    /** A route is asked for every record: those of up to 8 models are made once (a race makes an equal one twice). */
    private static final Route[][] MADE = new Route[2][1 << 8];

    static Route of(boolean publish, long learners) {
        if (learners >= MADE[0].length) return new Route(publish, learners);
        Route[] made = MADE[publish ? 1 : 0];
        Route r = made[(int) learners];
        if (r == null) made[(int) learners] = r = new Route(publish, learners);
        return r;
    }

    boolean learns(int model) {
        return (learners & (1L << model)) != 0;
    }

    boolean skip() {
        return !publish && learners == 0;
    }
}
