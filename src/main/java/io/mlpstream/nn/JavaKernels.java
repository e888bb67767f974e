package io.mlpstream.nn;

/**
 * The fallback matrix product in plain Java, for platforms without the bundled OpenBLAS.
 * Loops are ordered so that the innermost one walks rows of B and C with unit stride.
 */
final class JavaKernels implements Kernels {

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, Tensor ta, Tensor tb, float beta, Tensor tc) {
        float[] a = ta.data(), b = tb.data(), c = tc.data();
        int lda = ta.cols(), ldb = tb.cols(), ldc = tc.cols();
        for (int i = 0; i < m * n; i++) {
            c[i] = beta == 0f ? 0f : beta * c[i];
        }
        if (!transB) {
            // C[i,:] += A[i,p] * B[p,:]
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < k; p++) {
                    float aip = transA ? a[p * lda + i] : a[i * lda + p];
                    if (aip != 0f) {
                        axpy(aip, b, p * ldb, c, i * ldc, n);
                    }
                }
            }
        } else {
            // C[i,j] += dot(A[i,:], B[j,:])
            float[] row = new float[k];
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < k; p++) row[p] = transA ? a[p * lda + i] : a[i * lda + p];
                for (int j = 0; j < n; j++) {
                    c[i * ldc + j] += dot(row, b, j * ldb, k);
                }
            }
        }
    }

    private static void axpy(float s, float[] x, int xo, float[] y, int yo, int n) {
        for (int j = 0; j < n; j++) {
            y[yo + j] += s * x[xo + j];
        }
    }

    private static float dot(float[] x, float[] y, int yo, int n) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0; // four sums break the dependency chain
        int j = 0;
        for (; j + 3 < n; j += 4) {
            s0 += x[j] * y[yo + j];
            s1 += x[j + 1] * y[yo + j + 1];
            s2 += x[j + 2] * y[yo + j + 2];
            s3 += x[j + 3] * y[yo + j + 3];
        }
        for (; j < n; j++) s0 += x[j] * y[yo + j];
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public String name() {
        return "pure Java (plain loops)";
    }
}
