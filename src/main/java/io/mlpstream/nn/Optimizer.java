package io.mlpstream.nn;

import java.util.List;

/** Moves the parameters along their gradients, as torch.optim optimizers do on step(). */
public interface Optimizer {

    void step();

    OptimizerConfig config();

    /** Hyper-parameters may change between steps; the state (velocities, moments) is kept. */
    void reconfigure(OptimizerConfig config);

    /** Velocities or moments, in a fixed order, for snapshots. */
    List<Tensor> state();

    /** Number of steps taken (Adam's t); restored from snapshots. */
    long steps();

    void setSteps(long steps);

    /**
     * Scales every gradient so that their global L2 norm is at most maxNorm, as
     * torch.nn.utils.clip_grad_norm_. Returns the norm before clipping.
     */
    static double clipGradNorm(List<Parameter> params, double maxNorm) {
        double total = globalGradNorm(params);
        if (maxNorm > 0 && total > maxNorm) {
            float scale = (float) (maxNorm / (total + 1e-6));
            for (Parameter p : params) {
                float[] g = p.grad.data();
                for (int i = 0, n = p.grad.size(); i < n; i++) g[i] *= scale;
            }
        }
        return total;
    }

    static double globalGradNorm(List<Parameter> params) {
        double sum = 0;
        for (Parameter p : params) {
            double n = p.grad.norm();
            sum += n * n;
        }
        return Math.sqrt(sum);
    }
}
