package io.mlpstream.learn;

import io.mlpstream.nn.Dropout;
import io.mlpstream.nn.Kernels;
import io.mlpstream.nn.Linear;
import io.mlpstream.nn.ModelConfig;
import io.mlpstream.nn.ModelType;
import io.mlpstream.nn.Module;
import io.mlpstream.nn.Networks;
import io.mlpstream.nn.Sequential;
import io.mlpstream.nn.Tensor;
import io.mlpstream.nn.optim.OptimizerConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * A network and the rule that trains it: the MLP with gradient descent, or the perceptron with its own
 * rule. The network ends in log-softmax, so its forward pass gives log-probabilities.
 */
public record Learner(ModelConfig config, Sequential network, LearningRule rule) {

    public static Learner create(ModelConfig config, OptimizerConfig optimizer, Kernels kernels) {
        Sequential network = Networks.create(config, kernels);
        LearningRule rule = config.type() == ModelType.PERCEPTRON
                ? new PerceptronRule(network, optimizer, kernels)
                : new GradientStep(network, optimizer, kernels);
        return new Learner(config, network, rule);
    }

    /** Throws, saying why, unless the other learner's weights and optimizer state fit this one's. */
    public void checkFits(Learner other) {
        if (!other.config.sameArchitecture(config)) {
            throw new IllegalArgumentException("the snapshot is " + other.config.architecture() + " " + other.config.hidden()
                    + ", the running model is " + config.architecture() + " " + config.hidden());
        }
        if (other.rule.state().size() != rule.state().size()) { // Adam keeps two tensors per parameter, SGD one
            throw new IllegalArgumentException("the snapshot was trained by " + other.rule.name()
                    + ", the running model by " + rule.name() + ": their optimizer states do not fit");
        }
    }

    /** Copies the other learner's weights and optimizer state into this one's; see {@link #checkFits}. */
    void copyFrom(Learner other) {
        for (int i = 0; i < network.parameters().size(); i++) {
            network.parameters().get(i).value.copyFrom(other.network.parameters().get(i).value);
        }
        List<Tensor> state = rule.state();
        for (int i = 0; i < state.size(); i++) state.get(i).copyFrom(other.rule.state().get(i));
        rule.setStateSteps(other.rule.stateSteps());
    }

    /** A copy of the network with its own buffers that shares the weights, in eval mode (dropout off). */
    public Sequential inferenceReplica() {
        Sequential replica = network.replica();
        replica.train(false);
        return replica;
    }

    /** The current dropout probability (it may have changed at run time). */
    public float dropout() {
        return dropouts().stream().findFirst().map(Dropout::p).orElse(config.dropout());
    }

    /** Changes dropout's p from the next step, as {@code for m in model.modules(): m.p = p} would. */
    public void setDropout(float p) {
        for (Dropout d : dropouts()) {
            d.setP(p);
        }
    }

    private List<Dropout> dropouts() {
        List<Dropout> found = new ArrayList<>();
        network.modules().forEach(m -> {
            if (m instanceof Dropout d) found.add(d);
        });
        return found;
    }

    /** dense1..denseN, the names of the layers in the step statistics. */
    public List<String> layerNames() {
        List<String> names = new ArrayList<>();
        for (Module m : network.modules()) {
            if (m instanceof Linear) names.add(StepStats.layerName(names.size() + 1));
        }
        return names;
    }
}
