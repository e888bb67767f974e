package io.mlpstream.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ModelNameTest {

    @Test
    void lowerCaseLettersDigitsAndDashesStartingWithALetter() {
        for (String good : new String[] {"mnist-mlp", "relu", "sigmoid-deep", "relu-no-dropout", "m2", "a"}) {
            assertEquals(good, ModelName.requireValid(good));
        }
        for (String bad : new String[] {"Relu", "sigmoid_deep", "-relu", "2relu", "", "relu deep", "relu.v2", "a".repeat(64)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelName.requireValid(bad), bad);
            assertTrue(e.getMessage().contains("lower-case letters, digits and dashes"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> ModelName.requireValid(null));
    }
}
