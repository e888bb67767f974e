package io.mlpstream.events;

/** A label that comes after its image, from the labels topic: {"id": "mnist-00042", "label": 7}. */
public record LabelEvent(String id, int label) {
}
