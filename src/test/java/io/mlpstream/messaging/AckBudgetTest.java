package io.mlpstream.messaging;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AckBudgetTest {

    @Test
    void anIdleFlushCloseToSmallRyesMaxAgeRefusesToStartNamingBothSettings() {
        assertDoesNotThrow(() -> AckBudget.check(Duration.ofSeconds(1), 60_000));
        assertDoesNotThrow(() -> AckBudget.check(Duration.ofSeconds(30), 60_000));
        assertDoesNotThrow(() -> AckBudget.check(Duration.ofMinutes(5), 0), "0 turns SmallRye's check off");
        var e = assertThrows(IllegalStateException.class, () -> AckBudget.check(Duration.ofSeconds(31), 60_000));
        assertTrue(e.getMessage().contains("mlp.training.idle-flush") && e.getMessage().contains("unprocessed-record-max-age"),
                e.getMessage());
    }
}
