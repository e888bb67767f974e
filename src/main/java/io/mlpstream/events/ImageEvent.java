package io.mlpstream.events;

/**
 * A decoded and validated image event.
 *
 * @param id     null when the event had none (the adapter then uses topic-partition-offset)
 * @param label  null for "predict only"
 * @param pixels width*height unsigned bytes, row-major, 0 = background
 */
public record ImageEvent(String id, Integer label, int width, int height, byte[] pixels) {
}
