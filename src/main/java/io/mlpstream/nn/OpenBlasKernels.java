package io.mlpstream.nn;

import com.sun.jna.NativeLibrary;
import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * OpenBLAS, so that a machine with only Java has a fast sgemm:
 * <ul>
 *   <li>the library itself comes from the org.bytedeco:openblas artifact, which bundles it per platform
 *       and unpacks it on first use (under ~/.javacpp/cache);</li>
 *   <li>the calls go through dev.ludovic.netlib's JNI binding, which pins Java float[] arrays instead of
 *       copying them (bytedeco's own float[] binding copies, and ran at half the speed).</li>
 * </ul>
 * One BLAS thread: the products of a small MLP are too small to split, and the second core is better
 * spent on Kafka I/O and JSON (two threads measured 2-3x slower at batch 32).
 */
final class OpenBlasKernels implements Kernels {
    private final BLAS blas;
    private final Path library;

    OpenBlasKernels() {
        String jni = Loader.load(openblas_nolapack.class);
        library = Path.of(jni).resolveSibling("libopenblas_nolapack.so.0");
        if (!Files.exists(library)) {
            throw new IllegalStateException("bundled OpenBLAS not found at " + library);
        }
        openblas_nolapack.blas_set_num_threads(1);
        System.setProperty("dev.ludovic.netlib.blas.nativeLibPath", library.toString());
        blas = NativeBLAS.getInstance();
    }

    /**
     * netlib is column-major (Fortran). A row-major matrix is its column-major transpose, so
     * C = op(A) op(B) in row-major is C^T = op(B)^T op(A)^T in column-major: swap the operands.
     */
    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, Tensor a, Tensor b, float beta, Tensor c) {
        blas.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k,
                1f, b.data(), 0, b.cols(), a.data(), 0, a.cols(), beta, c.data(), 0, c.cols());
    }

    /** sdot(x, x) is SIMD in OpenBLAS; a Java float reduction is not vectorized by the JIT. */
    @Override
    public double norm(Tensor t) {
        return Math.sqrt(Math.max(0f, blas.sdot(t.size(), t.data(), 0, 1, t.data(), 0, 1)));
    }

    @Override
    public void setThreads(int threads) {
        openblas_nolapack.blas_set_num_threads(threads);
    }

    /** OpenBLAS's own answer, e.g. "Cooperlake" (AVX-512) or "Haswell" (AVX2), as its OPENBLAS_VERBOSE=2 prints. */
    @Override
    public String core() {
        try {
            return NativeLibrary.getInstance(library.toString())
                    .getFunction("openblas_get_corename").invokeString(new Object[0], false);
        } catch (Throwable e) { // only a name: JNA failing to load must not stop the service
            return "unknown (" + e + ")";
        }
    }

    @Override
    public String name() {
        return "OpenBLAS 0.3.31 (bundled by org.bytedeco:openblas, called through netlib JNI, 1 thread)";
    }
}
