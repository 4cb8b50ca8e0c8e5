// The one GEMM entry point: C = A * B (row-major, optional transposes) via the platform's CBLAS.
#pragma once
#include <cstdint>
#include <algorithm>

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

/** C = A B + beta C (row-major; ta/tb: A or B stored transposed); tiny k or n run in gemmSmall, the rest in BLAS. */
template <typename T>
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b, int64_t ldb, T* c,
          int64_t ldc, T beta = T(0));

template <>
inline void gemm<float>(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
                        int64_t ldb, float* c, int64_t ldc, float beta) {
  if (gemmSmall(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, beta)) return;
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k,
              1.0f, a, (int)lda, b, (int)ldb, beta, c, (int)ldc);
}

template <>
inline void gemm<double>(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda,
                         const double* b, int64_t ldb, double* c, int64_t ldc, double beta) {
  if (gemmSmall(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, beta)) return;
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k,
              1.0, a, (int)lda, b, (int)ldb, beta, c, (int)ldc);
}

}  // namespace gl
