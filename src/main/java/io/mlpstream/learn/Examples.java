package io.mlpstream.learn;

import io.mlpstream.nn.Tensor;
import java.util.Arrays;

/**
 * A reusable chunk of examples as they arrive: pixels scaled to 0..1 in the rows of {@code x}, and a
 * label per row, {@link #UNLABELED} for "predict only", {@link #SKIPPED} for "not this model's row".
 */
public final class Examples {
    public static final int UNLABELED = -1;
    /**
     * Neither predicted nor learned: a row that another model of the chunk replays (its snapshot is older) while this
     * one has learned and published it before. Not counted as predicted.
     */
    public static final int SKIPPED = -2;
    private static final float INV_255 = 1f / 255f;

    private Tensor x;
    private int[] labels;
    /** Null unless some rows are scored by an earlier prediction. */
    private int[] scoredAs;
    private int size;
    private final int inputSize;

    public Examples(int capacity, int inputSize) {
        this.inputSize = inputSize;
        this.x = new Tensor(capacity, inputSize);
        this.labels = new int[capacity];
    }

    private Examples(Tensor x, int[] labels, int[] scoredAs, int size, int inputSize) {
        this.x = x;
        this.labels = labels;
        this.scoredAs = scoredAs;
        this.size = size;
        this.inputSize = inputSize;
    }

    /**
     * The same rows with other labels, and for each row the prediction it is scored by ({@code scoredAs[i]}, or -1
     * to score the prediction made now): an example whose label came later is scored by the prediction made when
     * it arrived, as River's delayed evaluation does.
     */
    public Examples relabeled(int[] labels, int[] scoredAs) {
        if (labels.length < size || scoredAs.length < size) throw new IllegalArgumentException("fewer labels than rows");
        return new Examples(x, labels, scoredAs, size, inputSize);
    }

    /** The prediction row i is scored by, or -1: the one made now. */
    public int scoredAs(int i) {
        return scoredAs == null ? -1 : scoredAs[i];
    }

    /**
     * The same rows (not copied) with other labels: {@code labels[i]} for row i. For one model of several
     * that learns only some rows of a chunk; valid until the next add or clear of this chunk.
     */
    public Examples relabeled(int[] labels) {
        if (labels.length < size) throw new IllegalArgumentException(labels.length + " labels for " + size + " rows");
        return new Examples(x, labels, null, size, inputSize);
    }

    /**
     * Rows {@code rows[0..count)} of this chunk copied into {@code into} (cleared first), with {@code labels[j]} and
     * {@code scoredAs[j]} (null: none) for its row j: one data-parallel shard's part of a chunk.
     */
    public Examples select(int[] rows, int count, int[] labels, int[] scoredAs, Examples into) {
        into.clear();
        for (int j = 0; j < count; j++) {
            int row = into.grow();
            System.arraycopy(x.data(), rows[j] * inputSize, into.x.data(), row * inputSize, inputSize);
            into.labels[row] = labels[j];
        }
        return scoredAs == null ? into : into.relabeled(into.labels, scoredAs);
    }

    public void clear() {
        size = 0;
    }

    /** Adds one image of unsigned bytes (0 = background), from {@code pixels[offset..offset+inputSize)}. */
    public void add(byte[] pixels, int offset, int label) {
        int row = grow();
        float[] xs = x.data();
        int o = row * inputSize;
        for (int k = 0; k < inputSize; k++) {
            xs[o + k] = (pixels[offset + k] & 0xFF) * INV_255;
        }
        labels[row] = label;
    }

    private int grow() {
        if (size == labels.length) {
            int cap = labels.length * 2;
            Tensor bigger = new Tensor(cap, inputSize);
            System.arraycopy(x.data(), 0, bigger.data(), 0, size * inputSize);
            x = bigger;
            labels = Arrays.copyOf(labels, cap);
        }
        return size++;
    }

    public int size() {
        return size;
    }

    public int inputSize() {
        return inputSize;
    }

    public int label(int i) {
        return labels[i];
    }

    public boolean isLabeled(int i) {
        return labels[i] >= 0;
    }

    /** The rows in use, as a (size, inputSize) tensor; valid until the next add or clear. */
    public Tensor inputs() {
        return Tensor.reuse(x, size, inputSize);
    }

    /** Copies rows [start, start + n) into the first n rows of {@code dest}. */
    void copyRows(int start, int n, Tensor dest) {
        System.arraycopy(x.data(), start * inputSize, dest.data(), 0, n * inputSize);
    }

    /** Copies row i's pixels into row {@code row} of {@code dest}. */
    void copyRow(int i, Tensor dest, int row) {
        System.arraycopy(x.data(), i * inputSize, dest.data(), row * inputSize, inputSize);
    }
}
