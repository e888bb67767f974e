package io.mlpstream.events;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The image event decoder reads each record with a streaming parser and decodes the pixels' base64 where it lies in
 * the record. What it accepts and what it refuses, with which reason, is the contract's, whatever a client's JSON
 * encoder does (escaped slashes, unpadded base64, fields in any order, fields it does not know).
 */
class ImageDecoderTest {
    private static final byte[] PIXELS = new byte[784];

    static {
        for (int i = 0; i < PIXELS.length; i++) PIXELS[i] = (byte) (i * 7);
    }

    private final ImageDecoder decoder = new ImageDecoder(784, 10, 1 << 20, 1024);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String b64() {
        return Base64.getEncoder().encodeToString(PIXELS);
    }

    @Test
    void decodesTheFieldsInAnyOrderAndSkipsUnknownOnes() throws Exception {
        ImageEvent e = decoder.decode(utf8("{\"extra\": {\"a\": [1, {\"b\": null}], \"pixels\": 3}, \"pixels\": \"" + b64()
                + "\", \"label\": 7, \"height\": 28, \"id\": \"x-1\", \"width\": 28, \"more\": \"\\\"quoted\\\"\"}"));
        assertEquals("x-1", e.id());
        assertEquals(7, e.label());
        assertEquals(28, e.width());
        assertArrayEquals(PIXELS, e.pixels());
    }

    @Test
    void base64AsAnyJsonEncoderWritesIt() throws Exception {
        // some encoders escape '/', which base64 uses: the text is then read through the parser
        String escaped = b64().replace("/", "\\/");
        assertArrayEquals(PIXELS, decoder.decode(utf8("{\"width\": 28, \"height\": 28, \"pixels\": \"" + escaped + "\"}")).pixels());
        String unpadded = b64().replace("=", "");
        assertArrayEquals(PIXELS, decoder.decode(utf8("{\"width\": 28, \"height\": 28, \"pixels\": \"" + unpadded + "\"}")).pixels());
        StringBuilder array = new StringBuilder("[");
        for (int i = 0; i < PIXELS.length; i++) array.append(i == 0 ? "" : ",").append(PIXELS[i] & 0xFF);
        ImageEvent e = decoder.decode(utf8("{\"id\": 42, \"width\": 28, \"height\": 28, \"label\": null, \"pixels\": " + array + "]}"));
        assertArrayEquals(PIXELS, e.pixels());
        assertEquals("42", e.id());
        assertNull(e.label());
    }

    @Test
    void refusesWithTheContractsReasons() {
        String px = "\"pixels\": \"" + b64() + "\"";
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("{\"width\": 28, \"height\": 28, " + px, "invalid-json"); // cut short
        cases.put("[1, 2, 3]", "invalid-json");
        cases.put("\"a string\"", "invalid-json");
        cases.put("   ", "invalid-json");
        cases.put("{\"width\": 28, \"width\": 28, \"height\": 28, " + px + "}", "invalid-json"); // a duplicate field
        cases.put("{\"width\": 28, \"height\": 28, " + px + "} {}", "invalid-json"); // trailing tokens
        cases.put("{\"width\": 28, \"height\": 28, " + px + "} x", "invalid-json");
        cases.put("{\"width\": 28, \"height\": 28}", "missing-field");
        cases.put("{\"width\": 28, \"height\": 28, \"pixels\": null}", "missing-field");
        cases.put("{\"height\": 28, " + px + "}", "missing-field");
        cases.put("{\"width\": 28, \"height\": 28, \"label\": 2.5, " + px + "}", "bad-label");
        cases.put("{\"width\": 28, \"height\": 28, \"label\": \"7\", " + px + "}", "bad-label");
        cases.put("{\"width\": 28, \"height\": 28, \"label\": 10, " + px + "}", "bad-label");
        cases.put("{\"width\": 28, \"height\": 28, \"pixels\": \"not base64!!\"}", "bad-pixels");
        cases.put("{\"width\": 28, \"height\": 28, \"pixels\": \"AAAA\"}", "bad-pixels");
        cases.put("{\"width\": 28, \"height\": 28, \"pixels\": 5}", "bad-pixels");
        cases.put("{\"width\": 28, \"height\": 28, \"pixels\": [1, 2]}", "bad-pixels");
        cases.put("{\"width\": 20, \"height\": 20, " + px + "}", "size-mismatch");
        cases.put("{\"width\": 28.0, \"height\": 28, " + px + "}", "size-mismatch");
        cases.put("{\"width\": 2000, \"height\": 28, " + px + "}", "too-large");
        cases.put("{\"id\": \"\", \"width\": 28, \"height\": 28, " + px + "}", "bad-id");
        cases.put("{\"id\": [1], \"width\": 28, \"height\": 28, " + px + "}", "bad-id");
        cases.put("{\"nested\": " + "[".repeat(100) + "]".repeat(100) + ", \"width\": 28, \"height\": 28, " + px + "}", "invalid-json");
        cases.forEach((json, reason) -> {
            InvalidEvent e = assertThrows(InvalidEvent.class, () -> decoder.decode(utf8(json)), json);
            assertEquals(reason, e.reason(), json + ": " + e.detail());
        });
    }
}
