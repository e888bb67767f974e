package io.mlpstream.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes image events in the contract's JSON form, base64 pixels. */
public final class ImageEvents {
    private ImageEvents() {
    }

    public static byte[] toJson(String id, Integer label, int width, int height, byte[] pixels, int offset) {
        byte[] image = Arrays.copyOfRange(pixels, offset, offset + width * height);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", id);
        if (label != null) event.put("label", label);
        event.put("width", width);
        event.put("height", height);
        event.put("pixels", Base64.getEncoder().encodeToString(image));
        try {
            return Json.mapper().writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
