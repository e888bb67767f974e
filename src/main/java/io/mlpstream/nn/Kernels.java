package io.mlpstream.nn;

import java.util.logging.Logger;

/**
 * Where speed lives: the matrix product, about 95% of the FLOPs of a training step, goes through a
 * BLAS when one is available (so does the norm that the per-layer statistics take of every parameter on
 * every step). The few element-wise loops that needed a trick are in {@link FastLoops}; everything else
 * in {@code nn} is plain loops that read like the math.
 */
public interface Kernels {

    /** c = op(a) op(b) + beta * c, where op transposes when asked. Shapes are checked. */
    default void mm(Tensor a, boolean transA, Tensor b, boolean transB, float beta, Tensor c) {
        int m = transA ? a.cols() : a.rows();
        int k = transA ? a.rows() : a.cols();
        int kb = transB ? b.cols() : b.rows();
        int n = transB ? b.rows() : b.cols();
        if (k != kb || c.rows() != m || c.cols() != n) {
            throw new IllegalArgumentException("mm: " + a.shape() + (transA ? "^T" : "") + " x "
                    + b.shape() + (transB ? "^T" : "") + " -> " + c.shape());
        }
        gemm(transA, transB, m, n, k, a, b, beta, c);
    }

    /** Row-major sgemm: c (m x n) = op(a) (m x k) * op(b) (k x n) + beta * c. */
    void gemm(boolean transA, boolean transB, int m, int n, int k, Tensor a, Tensor b, float beta, Tensor c);

    /** The L2 norm of all the tensor's elements; statistics need it for every parameter on every step. */
    default double norm(Tensor t) {
        return t.norm();
    }

    String name();

    /** The CPU whose kernels run (OpenBLAS picks them at load, unless OPENBLAS_CORETYPE pins them). */
    default String core() {
        return "java";
    }

    /** Threads the kernel may use; 1 unless a benchmark says otherwise. */
    default void setThreads(int threads) {
    }

    /** OpenBLAS bundled in a Maven artifact when it loads on this platform, else plain Java. */
    static Kernels best() {
        return Holder.BEST;
    }

    final class Holder {
        private static final Logger LOG = Logger.getLogger(Kernels.class.getName());
        static final Kernels BEST = choose();

        private static Kernels choose() {
            String wanted = System.getProperty("mlp.kernels", System.getenv().getOrDefault("MLP_KERNELS", "auto"));
            Kernels k = null;
            if (!wanted.equals("java")) {
                try {
                    k = new OpenBlasKernels();
                } catch (Throwable e) {
                    if (wanted.equals("openblas")) {
                        throw new IllegalStateException("MLP_KERNELS=openblas but OpenBLAS did not load", e);
                    }
                    LOG.warning("OpenBLAS did not load (" + e + "); falling back to pure Java, several times slower");
                }
            }
            if (k == null) {
                k = new JavaKernels();
            }
            LOG.info("nn kernels: " + k.name() + ", " + k.core() + " kernels");
            return k;
        }

        private Holder() {
        }
    }
}
