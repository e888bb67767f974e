package io.mlpstream.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The model prints as print(model) does in PyTorch, so that a reader of both sees the same network. */
class ReprTest {
    @Test
    void theDefaultModelPrintsWithPyTorchsNames() {
        String expected = String.join("\n",
                "Sequential(",
                "  (0): Linear(in_features=784, out_features=256, bias=True)",
                "  (1): ReLU()",
                "  (2): Dropout(p=0.1, inplace=False)",
                "  (3): Linear(in_features=256, out_features=128, bias=True)",
                "  (4): ReLU()",
                "  (5): Dropout(p=0.1, inplace=False)",
                "  (6): Linear(in_features=128, out_features=10, bias=True)",
                "  (7): LogSoftmax(dim=1)",
                ")");
        assertEquals(expected, Networks.create(ModelConfig.DEFAULT, Kernels.best()).toString());
    }
}
