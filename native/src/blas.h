// The one GEMM entry point: C = A * B (row-major, optional transposes) via the platform's CBLAS.
#pragma once
#include <cstdint>
#include <algorithm>

#include "threads.h"

#ifdef GRADLAB_ACCELERATE
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
#endif

namespace gl {

/** C = A B + beta C for shapes with k <= 16 or n <= 16 (see smallgemm.cc); false when the shape is not one of those. */
template <typename T>
bool gemmSmall(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b, int64_t ldb,
               T* c, int64_t ldc, T beta);

/** One BLAS call: C = A B + beta C (row-major; ta/tb: A or B stored transposed). */
inline void blasGemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
                     int64_t ldb, float* c, int64_t ldc, float beta) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k,
              1.0f, a, (int)lda, b, (int)ldb, beta, c, (int)ldc);
}
inline void blasGemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda, const double* b,
                     int64_t ldb, double* c, int64_t ldc, double beta) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k,
              1.0, a, (int)lda, b, (int)ldb, beta, c, (int)ldc);
}

/**
 * True when gemm() splits medium products over gradlab's pool (BLAS single-threaded) and gives large ones
 * BLAS's threads (OpenBLAS, more than one thread, GRADLAB_GEMM_SPLIT not 0; decided once at load, see gemm.cc).
 */
bool gemmSplit();

/** Products of fewer multiply-adds than this run as one BLAS call (OpenBLAS's own threading threshold). */
constexpr int64_t kSplitMinMacs = int64_t(1) << 18;

/**
 * Products of at least this many multiply-adds run as one BLAS call on all of BLAS's threads instead of
 * being split (large products gain from OpenBLAS sharing packed panels between its threads; see gemm.cc).
 */
int64_t splitMaxMacs();

/** Sets BLAS's thread count around one large call (only when gemmSplit(); see gemm.cc). */
void setBlasThreads(int n);

/**
 * C = A B + beta C (row-major; ta/tb: A or B stored transposed). Tiny k or n run in gemmSmall. With
 * gemmSplit(), a medium product is cut along its longer side of C into one piece per pool thread (cut at
 * cache-line multiples), each piece one single-threaded BLAS call: the pieces share nothing, so the threads
 * never wait on each other inside BLAS (OpenBLAS's own threads synchronise on shared packed panels by
 * spinning on sched_yield). A large product runs on BLAS's own threads, one at a time. Inside a parallel
 * region the product runs as one call on the calling thread.
 */
template <typename T>
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b, int64_t ldb, T* c,
          int64_t ldc, T beta = T(0)) {
  if (gemmSmall(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, beta)) return;
  const int threads = threadCount();
  const int64_t macs = m * n * k;
  if (!gemmSplit() || threads < 2 || inParallelRegion() || macs < kSplitMinMacs) {
    blasGemm(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, beta);
    return;
  }
  if (macs >= splitMaxMacs()) {
    setBlasThreads(threads);
    blasGemm(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, beta);
    setBlasThreads(1);
    return;
  }
  constexpr int64_t align = 64 / sizeof(T);
  const bool byCols = n >= m;
  const int64_t len = byCols ? n : m;
  const int64_t per = ((len + threads - 1) / threads + align - 1) / align * align;
  const int64_t pieces = (len + per - 1) / per;
  parallelFor(pieces, 1, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      const int64_t s = p * per, w = std::min(len, s + per) - s;
      if (byCols)
        blasGemm(ta, tb, m, w, k, a, lda, tb ? b + s * ldb : b + s, ldb, c + s, ldc, beta);
      else
        blasGemm(ta, tb, w, n, k, ta ? a + s : a + s * lda, lda, b, ldb, c + s * ldc, ldc, beta);
    }
  });
}

}  // namespace gl
