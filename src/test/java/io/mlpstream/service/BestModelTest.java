package io.mlpstream.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mlpstream.learn.PrequentialAccuracy;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The serving model changes only for a lead that is large enough and lasts. */
class BestModelTest {
    private final BestModel best = new BestModel(100, 0.02, 50);

    private static Map<String, BestModel.Score> scores(double a, double b, long seen) {
        return Map.of("a", new BestModel.Score(a, seen), "b", new BestModel.Score(b, seen));
    }

    @Test
    void nothingChangesDuringTheBurnIn() {
        assertEquals("a", best.choose("a", scores(0.1, 0.9, 99)));
    }

    @Test
    void aLeadSmallerThanTheMarginOrShorterThanThePatienceChangesNothing() {
        assertEquals("a", best.choose("a", scores(0.80, 0.81, 200)));
        assertEquals("a", best.choose("a", scores(0.80, 0.90, 200)));
        assertEquals("a", best.choose("a", scores(0.80, 0.90, 249)), "led for 49 examples");
        assertEquals("b", best.choose("a", scores(0.80, 0.90, 250)), "led for 50");
    }

    @Test
    void twoModelsTradingTheLeadByAHairNeverFlap() {
        String serving = "a";
        int switches = 0;
        for (long seen = 100; seen < 5000; seen += 10) {
            boolean aAhead = (seen / 30) % 2 == 0;
            String next = best.choose(serving, scores(aAhead ? 0.85 : 0.84, aAhead ? 0.84 : 0.86, seen));
            if (!next.equals(serving)) switches++;
            serving = next;
        }
        assertEquals(0, switches);
    }

    /** Right after a restart every window is empty: nothing to compare, whoever leads elsewhere. */
    @Test
    void theServingModelKeepsServingWhileItsWindowIsEmpty() {
        assertEquals("a", best.choose("a", scores(Double.NaN, 0.9, 5000)));
        assertEquals("a", best.choose("a", scores(Double.NaN, 0.9, 6000)));
    }

    /** Review finding 11: the window a restart really leaves (no example scored yet) is "nothing to compare", not 0. */
    @Test
    void anEmptyPrequentialWindowIsNothingToCompare() {
        double empty = new PrequentialAccuracy(10, 500).window();
        assertEquals("a", best.choose("a", scores(empty, 0.9, 5000)));
        assertEquals("a", best.choose("a", scores(empty, 0.9, 6000)));
    }

    @Test
    void aLeadThatIsInterruptedStartsAgain() {
        best.choose("a", scores(0.80, 0.90, 200));
        best.choose("a", scores(0.80, 0.80, 230));
        assertEquals("a", best.choose("a", scores(0.80, 0.90, 260)), "the lead began again at 260");
        assertEquals("b", best.choose("a", scores(0.80, 0.90, 310)));
    }
}
