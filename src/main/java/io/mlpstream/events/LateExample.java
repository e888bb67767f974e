package io.mlpstream.events;

import java.util.List;

/**
 * An image whose label came later, on the late-examples topic (key = image id): the image, its label, and every
 * model's prediction made when the image arrived, scored against the label (River's delayed evaluation). The
 * models learn from it as from a labeled image event; the statistics count its predictions.
 *
 * @param imageTimestamp when the image arrived (epoch ms)
 * @param labelTimestamp when the label arrived
 */
public record LateExample(String id, int label, int width, int height, byte[] pixels, long imageTimestamp,
                          long labelTimestamp, List<Prediction> predictions) {

    /** The prediction made on arrival by the named model, or null if it was not running then. */
    public Prediction predictionOf(String model) {
        for (Prediction p : predictions) {
            if (p.model().equals(model)) return p;
        }
        return null;
    }
}
