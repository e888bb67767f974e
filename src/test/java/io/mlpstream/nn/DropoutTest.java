package io.mlpstream.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DropoutTest {

    @Test
    void keepsOneMinusPOfTheUnitsAndScalesThemByItsInverse() {
        float p = 0.3f;
        Dropout d = new Dropout(p, 5);
        Tensor x = new Tensor(200, 500);
        x.fill(2f);
        Tensor y = d.forward(x);
        int kept = 0;
        double sum = 0;
        for (int i = 0; i < y.size(); i++) {
            float v = y.get(i);
            assertTrue(v == 0f || Math.abs(v - 2f / (1 - p)) < 1e-6, "value " + v);
            if (v != 0f) kept++;
            sum += v;
        }
        double n = y.size();
        double sigma = Math.sqrt(n * p * (1 - p));
        assertEquals(n * (1 - p), kept, 4 * sigma, "kept units");
        assertEquals(2.0, sum / n, 0.01, "inverted dropout preserves the expected activation");
    }

    @Test
    void masksDifferFromStepToStep() {
        Dropout d = new Dropout(0.5f, 5);
        Tensor x = new Tensor(1, 64);
        x.fill(1f);
        float[] first = d.forward(x).toArray();
        float[] second = d.forward(x).toArray();
        assertTrue(!Arrays.equals(first, second));
    }

    @Test
    void isTheIdentityAtInference() {
        Dropout d = new Dropout(0.5f, 5);
        d.train(false);
        Tensor x = Tensor.of(1, 3, 1f, 2f, 3f);
        assertSame(x, d.forward(x));
        assertSame(x, d.backward(x));
    }

    @Test
    void rejectsImpossibleProbabilities() {
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1f, 1));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(-0.1f, 1));
    }
}
