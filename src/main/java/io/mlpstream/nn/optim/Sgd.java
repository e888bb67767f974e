package io.mlpstream.nn.optim;

import io.mlpstream.nn.Parameter;
import java.util.List;

/**
 * Stochastic gradient descent, with PyTorch's torch.optim.SGD semantics:
 * g = grad + wd * w;  v = mu * v + g;  w -= lr * (nesterov ? g + mu * v : v).
 * With momentum 0 it is plain SGD. State: one velocity per parameter.
 */
public final class Sgd extends Optimizer {

    public Sgd(List<Parameter> params, OptimizerConfig config) {
        super(params, config);
        addState(1); // v
    }

    @Override
    public void step() {
        float lr = config.lr(), mu = config.momentum(), wd = config.weightDecay();
        boolean nesterov = config.nesterov();
        for (int k = 0; k < params.size(); k++) {
            float[] w = params.get(k).value.data(), grad = params.get(k).grad.data(), v = state.get(k).data();
            for (int i = 0, n = params.get(k).value.size(); i < n; i++) {
                float g = grad[i] + wd * w[i];
                if (mu != 0f) {
                    v[i] = Subnormals.flush(mu * v[i] + g); // a decaying buffer: see Subnormals
                    g = nesterov ? g + mu * v[i] : v[i];
                }
                w[i] -= lr * g;
            }
        }
        steps++;
    }
}
