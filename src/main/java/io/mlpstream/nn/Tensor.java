package io.mlpstream.nn;

import java.util.Arrays;

/**
 * A row-major float32 matrix: {@code rows} examples of {@code cols} features each.
 *
 * <p>The array may hold more rows than are in use: a tensor sized for a full mini-batch is reused, with
 * fewer rows, for the last smaller batch, so the training loop allocates nothing in the steady state.
 */
public final class Tensor {
    private float[] data;
    private int rows;
    private final int cols;

    public Tensor(int rows, int cols) {
        if (rows < 0 || cols <= 0) {
            throw new IllegalArgumentException("bad shape (" + rows + ", " + cols + ")");
        }
        this.rows = rows;
        this.cols = cols;
        this.data = new float[rows * cols];
    }

    public static Tensor of(int rows, int cols, float... values) {
        Tensor t = new Tensor(rows, cols);
        if (values.length != rows * cols) {
            throw new IllegalArgumentException(values.length + " values for shape (" + rows + ", " + cols + ")");
        }
        System.arraycopy(values, 0, t.data, 0, values.length);
        return t;
    }

    /** Returns a tensor of this shape, reusing {@code t}'s memory when it is big enough. */
    public static Tensor reuse(Tensor t, int rows, int cols) {
        if (t == null || t.cols != cols) {
            return new Tensor(rows, cols);
        }
        if (t.data.length < rows * cols) {
            t.data = new float[rows * cols];
        }
        t.rows = rows;
        return t;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public int size() {
        return rows * cols;
    }

    /** The backing array; element (r, c) is at r * cols + c. Loops read it directly, for speed. */
    public float[] data() {
        return data;
    }

    public float get(int i) {
        return data[i];
    }

    public void set(int i, float v) {
        data[i] = v;
    }

    public float get(int r, int c) {
        return data[r * cols + c];
    }

    public void set(int r, int c, float v) {
        data[r * cols + c] = v;
    }

    public void fill(float v) {
        Arrays.fill(data, 0, size(), v);
    }

    public void copyFrom(Tensor src) {
        if (src.rows != rows || src.cols != cols) {
            throw new IllegalArgumentException("shape " + src.shape() + " into " + shape());
        }
        System.arraycopy(src.data, 0, data, 0, size());
    }

    public float[] toArray() {
        return Arrays.copyOf(data, size());
    }

    public void load(float[] values) {
        if (values.length != size()) {
            throw new IllegalArgumentException(values.length + " values for shape " + shape());
        }
        System.arraycopy(values, 0, data, 0, values.length);
    }

    public Tensor copy() {
        Tensor t = new Tensor(rows, cols);
        t.copyFrom(this);
        return t;
    }

    /** The L2 norm of all elements: sqrt(sum x^2). */
    public double norm() {
        return Math.sqrt(FastLoops.sumOfSquares(data, size()));
    }

    /** Index of the largest entry of row r, as torch.argmax(t[r]). */
    public int argmax(int r) {
        int best = 0;
        float max = get(r, 0);
        for (int j = 1; j < cols; j++) {
            float v = get(r, j);
            if (v > max) {
                max = v;
                best = j;
            }
        }
        return best;
    }

    public boolean isFinite() {
        for (int i = 0, n = size(); i < n; i++) {
            if (!Float.isFinite(data[i])) {
                return false;
            }
        }
        return true;
    }

    public String shape() {
        return "(" + rows + ", " + cols + ")";
    }

    @Override
    public String toString() {
        return "Tensor" + shape();
    }
}
