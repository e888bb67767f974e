package io.mlpstream.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PrequentialAccuracyTest {

    @Test
    void cumulativeAndWindowedAccuracy() {
        PrequentialAccuracy a = new PrequentialAccuracy(3, 4);
        int[][] pairs = {{0, 0}, {1, 1}, {2, 0}, {1, 1}, {2, 1}, {0, 1}};
        for (int[] p : pairs) a.add(p[0], p[1]);
        assertEquals(3.0 / 6, a.cumulative(), 1e-12);
        // the window holds the last 4: (2,0) (1,1) (2,1) (0,1): one right
        assertEquals(1.0 / 4, a.window(), 1e-12);
    }

    @Test
    void aRestoredModelContinuesItsCumulativeAccuracy() {
        PrequentialAccuracy a = new PrequentialAccuracy(3, 4);
        a.restore(100, 80);
        a.add(1, 1);
        a.add(2, 0);
        assertEquals(81.0 / 102, a.cumulative(), 1e-12);
        assertEquals(1.0 / 2, a.window(), 1e-12); // the window starts empty
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> a.restore(5, 6));
    }

    @Test
    void kappaAsCohenDefinedIt() {
        PrequentialAccuracy a = new PrequentialAccuracy(2, 100);
        // confusion: [[20, 5], [10, 15]]: p_o = 35/50; p_e = (25*30 + 25*20) / 50^2 = 0.5
        for (int i = 0; i < 20; i++) a.add(0, 0);
        for (int i = 0; i < 5; i++) a.add(0, 1);
        for (int i = 0; i < 10; i++) a.add(1, 0);
        for (int i = 0; i < 15; i++) a.add(1, 1);
        assertEquals((0.7 - 0.5) / (1 - 0.5), a.kappa(), 1e-12);
    }
}
