package io.mlpstream.nn.optim;

import io.mlpstream.nn.Parameter;
import io.mlpstream.nn.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves the parameters along their gradients, as torch.optim.Optimizer: it holds the parameters, the
 * settings and the per-parameter state (velocities, moments); a subclass writes {@link #step()}.
 */
public abstract class Optimizer {
    protected final List<Parameter> params;
    /** Velocities or moments, in a fixed order, for checkpoints. */
    protected final List<Tensor> state = new ArrayList<>();
    protected OptimizerConfig config;
    /** Steps taken (Adam's t); restored from checkpoints. */
    protected long steps;

    protected Optimizer(List<Parameter> params, OptimizerConfig config) {
        this.params = params;
        this.config = config;
    }

    /** Builds the optimizer a config names, over these parameters. */
    public static Optimizer create(List<Parameter> params, OptimizerConfig config) {
        return config.type() == OptimizerType.ADAM ? new Adam(params, config) : new Sgd(params, config);
    }

    public abstract void step();

    /** Sets every gradient to zero, as optimizer.zero_grad(): backward accumulates into them. */
    public void zeroGrad() {
        for (Parameter p : params) {
            p.grad.fill(0f);
        }
    }

    /** {@code perParameter} state tensors of each parameter's shape, parameter after parameter. */
    protected void addState(int perParameter) {
        for (Parameter p : params) {
            for (int i = 0; i < perParameter; i++) state.add(new Tensor(p.value.rows(), p.value.cols()));
        }
    }

    public OptimizerConfig config() {
        return config;
    }

    /** Hyper-parameters may change between steps; the state is kept. */
    public void reconfigure(OptimizerConfig config) {
        this.config = config;
    }

    public List<Tensor> state() {
        return state;
    }

    public long steps() {
        return steps;
    }

    public void setSteps(long steps) {
        this.steps = steps;
    }
}
