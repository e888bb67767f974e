package io.mlpstream.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A labels-topic record: an id and a class, strictly; and small, since an early label waits in memory. */
class LabelDecoderTest {
    private final LabelDecoder decoder = new LabelDecoder(10);

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anIdAndALabel() throws Exception {
        assertEquals(new LabelEvent("mnist-00042", 7), decoder.decode(null, json("{\"id\": \"mnist-00042\", \"label\": 7}")));
        assertEquals(new LabelEvent("k", 3), decoder.decode("k", json("{\"label\": 3}")), "the key, when the JSON has no id");
        assertEquals(InvalidEvent.BAD_LABEL, assertThrows(InvalidEvent.class, () -> decoder.decode("k", json("{\"label\": \"7\"}"))).reason());
    }

    /**
     * Review finding 12: a label padded with unknown fields waits, whole, in memory and in the changelog until its image
     * comes; 100,000 such labels of 60 KB exhausted the heap. The largest real label (an id of 256 characters) takes
     * under 300 bytes; anything above 1 KiB goes to labels-dlq at once, whole.
     */
    @Test
    void aPaddedLabelIsRefusedBeforeItCanWait() throws Exception {
        String longestId = "i".repeat(256);
        assertEquals(longestId, decoder.decode(null, json("{\"id\": \"" + longestId + "\", \"label\": 1}")).id());
        InvalidEvent e = assertThrows(InvalidEvent.class,
                () -> decoder.decode("u1", json("{\"id\": \"u1\", \"label\": 1, \"pad\": \"" + "x".repeat(2000) + "\"}")));
        assertEquals(InvalidEvent.INVALID_JSON, e.reason());
        assertTrue(e.getMessage().contains("1024"), e.getMessage());
    }
}
