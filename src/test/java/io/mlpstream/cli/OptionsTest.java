package io.mlpstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Every command takes the options its --help lists, and refuses any other, naming it. */
class OptionsTest {
    private static final String HELP = """
            usage: mlp-stream thing [options]
              --epochs N   --seed S
              --lab        (--chunk N records per poll)""";

    @Test
    void anOptionTheHelpDoesNotListIsRefusedByName() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Options(new String[] {"--no-such-option", "3"}, HELP, "lab"));
        assertTrue(e.getMessage().contains("--no-such-option") && e.getMessage().contains("--help"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Options(new String[] {"--epoch=3"}, HELP, "lab"), "a typo");
    }

    @Test
    void theListedOnesAreTaken() {
        Options o = new Options(new String[] {"--epochs", "5", "--seed=7", "--lab", "--chunk", "100"}, HELP, "lab");
        assertEquals(5, o.intValue("epochs", 1));
        assertEquals("7", o.value("seed"));
        assertTrue(o.has("lab"));
        assertEquals(100, o.intValue("chunk", 500));
        assertTrue(new Options(new String[] {"-h"}, HELP).has("help"));
    }
}
