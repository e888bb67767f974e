package io.mlpstream.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * micrograd's test, for a whole network: the gradient that backward gives every parameter of a small
 * Sequential equals the central finite difference of its NLL loss. Nothing derived by hand stands
 * between the two.
 */
class SequentialGradientTest {

    @Test
    void tanhNetworkBackwardMatchesFiniteDifferencesOfTheLoss() {
        check(Activation.TANH);
    }

    @Test
    void leakyReluNetworkBackwardMatchesFiniteDifferencesOfTheLoss() {
        check(Activation.LEAKY_RELU);
    }

    @Test
    void sigmoidNetworkBackwardMatchesFiniteDifferencesOfTheLoss() {
        check(Activation.SIGMOID);
    }

    private static void check(Activation activation) {
        ModelConfig config = ModelConfig.DEFAULT.withInputSize(6).withHidden(List.of(5, 4)).withClasses(3)
                .withActivation(activation).withNegativeSlope(0.1f).withDropout(0f).withInit(Init.TORCH).withSeed(7);
        Sequential model = Networks.mlp(config, Kernels.best());
        NllLoss criterion = new NllLoss();
        Random r = new Random(5);
        Tensor x = new Tensor(4, 6);
        for (int i = 0; i < x.size(); i++) x.set(i, (float) r.nextGaussian());
        int[] labels = {0, 2, 1, 2};

        // backward pass
        for (Parameter p : model.parameters()) p.grad.fill(0f);
        Tensor logProbs = model.forward(x);
        criterion.forward(logProbs, labels);
        model.backward(criterion.backward(logProbs, labels));

        // central differences of the loss, one parameter element at a time
        float h = 1e-3f;
        int checked = 0;
        for (Parameter p : model.parameters()) {
            for (int i = 0; i < p.value.size(); i++) {
                float w = p.value.get(i);
                p.value.set(i, w + h);
                double up = criterion.forward(model.forward(x), labels);
                p.value.set(i, w - h);
                double down = criterion.forward(model.forward(x), labels);
                p.value.set(i, w);
                double numeric = (up - down) / (2 * h);
                assertEquals(numeric, p.grad.get(i), 2e-3 + 0.03 * Math.abs(numeric), p + "[" + i + "]");
                checked++;
            }
        }
        assertEquals(6 * 5 + 5 + 5 * 4 + 4 + 4 * 3 + 3, checked, "every parameter element is checked");
    }
}
