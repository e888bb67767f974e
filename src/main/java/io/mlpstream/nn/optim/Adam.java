package io.mlpstream.nn.optim;

import io.mlpstream.nn.Parameter;
import java.util.List;

/**
 * Adam (Kingma and Ba, "Adam: A Method for Stochastic Optimization", 2015), with PyTorch's
 * torch.optim.Adam semantics: L2 weight decay is added to the gradient; the first and second moments
 * are bias-corrected by 1 - beta^t. State: the first and second moments of each parameter, kept out of the
 * subnormal floats ({@link Subnormals}).
 */
public final class Adam extends Optimizer {

    public Adam(List<Parameter> params, OptimizerConfig config) {
        super(params, config);
        addState(2); // m and v of each parameter, in checkpoints' order: m0, v0, m1, v1, ...
    }

    @Override
    public void step() {
        steps++;
        float lr = config.lr(), b1 = config.beta1(), b2 = config.beta2(), eps = config.eps(), wd = config.weightDecay();
        float c1 = (float) (1 - Math.pow(b1, steps));
        float sqrtC2 = (float) Math.sqrt(1 - Math.pow(b2, steps));
        float stepSize = lr / c1;
        for (int k = 0; k < params.size(); k++) {
            float[] w = params.get(k).value.data(), grad = params.get(k).grad.data();
            float[] m = state.get(2 * k).data(), v = state.get(2 * k + 1).data();
            for (int i = 0, n = params.get(k).value.size(); i < n; i++) {
                float g = grad[i] + wd * w[i];
                m[i] = Subnormals.flush(b1 * m[i] + (1 - b1) * g);
                v[i] = Subnormals.flush(b2 * v[i] + (1 - b2) * g * g);
                w[i] -= stepSize * m[i] / ((float) Math.sqrt(v[i]) / sqrtC2 + eps);
            }
        }
    }
}
