package io.mlpstream.nn.optim;

import io.mlpstream.nn.Parameter;
import java.util.List;

/** Clipping by global gradient norm, as torch.nn.utils.clip_grad_norm_. */
public final class ClipGradNorm {
    private ClipGradNorm() {
    }

    /** Scales every gradient so that their global L2 norm is at most maxNorm. Returns the norm before clipping. */
    public static double clip(List<Parameter> params, double maxNorm) {
        return clip(params, maxNorm, globalNorm(params));
    }

    /** The same, given the global norm already measured (the step statistics measure it anyway). */
    public static double clip(List<Parameter> params, double maxNorm, double totalNorm) {
        if (maxNorm > 0 && totalNorm > maxNorm) {
            float scale = (float) (maxNorm / (totalNorm + 1e-6));
            for (Parameter p : params) {
                float[] g = p.grad.data();
                for (int i = 0, n = p.grad.size(); i < n; i++) g[i] *= scale;
            }
        }
        return totalNorm;
    }

    /** sqrt of the sum of every gradient element squared. */
    public static double globalNorm(List<Parameter> params) {
        double sum = 0;
        for (Parameter p : params) {
            double n = p.grad.norm();
            sum += n * n;
        }
        return Math.sqrt(sum);
    }
}
