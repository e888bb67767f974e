package io.mlpstream.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * Stochastic gradient descent, with PyTorch's torch.optim.SGD semantics:
 * g = grad + wd * w;  v = mu * v + g;  w -= lr * (nesterov ? g + mu * v : v).
 * With momentum 0 it is plain SGD.
 */
public final class Sgd implements Optimizer {
    private final List<Parameter> params;
    private final List<Tensor> velocity = new ArrayList<>();
    private OptimizerConfig config;
    private long steps;

    public Sgd(List<Parameter> params, OptimizerConfig config) {
        this.params = params;
        this.config = config;
        for (Parameter p : params) {
            velocity.add(new Tensor(p.value.rows(), p.value.cols()));
        }
    }

    @Override
    public void step() {
        float lr = config.lr(), mu = config.momentum(), wd = config.weightDecay();
        boolean nesterov = config.nesterov();
        for (int k = 0; k < params.size(); k++) {
            float[] w = params.get(k).value.data(), grad = params.get(k).grad.data(), v = velocity.get(k).data();
            for (int i = 0, n = params.get(k).value.size(); i < n; i++) {
                float g = grad[i] + wd * w[i];
                if (mu != 0f) {
                    v[i] = mu * v[i] + g;
                    g = nesterov ? g + mu * v[i] : v[i];
                }
                w[i] -= lr * g;
            }
        }
        steps++;
    }

    @Override
    public OptimizerConfig config() {
        return config;
    }

    @Override
    public void reconfigure(OptimizerConfig c) {
        this.config = c;
    }

    @Override
    public List<Tensor> state() {
        return velocity;
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public void setSteps(long steps) {
        this.steps = steps;
    }
}
