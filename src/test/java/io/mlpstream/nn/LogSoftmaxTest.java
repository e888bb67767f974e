package io.mlpstream.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LogSoftmaxTest {
    /**
     * A confident prediction: the other classes' softmax is about e^-100, a subnormal float. Their gradients are 0,
     * not subnormal numbers that would slow every GEMM of the backward pass; the others are as the math says.
     */
    @Test
    void aConfidentPredictionsTinyGradientsAreZeroNotSubnormal() {
        Tensor logits = new Tensor(1, 3);
        logits.set(0, 0, 100f);
        logits.set(0, 1, 0f);
        logits.set(0, 2, 99f);
        LogSoftmax m = new LogSoftmax();
        m.forward(logits);
        Tensor dy = new Tensor(1, 3);
        dy.set(0, 0, -1f); // NLL of class 0
        Tensor dx = m.backward(dy);
        assertEquals(0f, dx.get(0, 1), "e^-100 of class 1: flushed");
        float p0 = (float) (1 / (1 + Math.exp(-1) + Math.exp(-100)));
        assertEquals(-1 + p0, dx.get(0, 0), 1e-6);
        assertEquals(1 - p0, dx.get(0, 2), 1e-6);
    }
}
