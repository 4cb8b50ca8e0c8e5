// GEMMs with one tiny dimension (k <= 16 or n <= 16), where BLAS's packing and threading cost more than the math.
#include <algorithm>
#include <cmath>
#include <vector>

#include "blas.h"
#include "threads.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace gl {
namespace {

constexpr int64_t kSmall = 16;  // largest k (or n) handled here
constexpr int64_t kTile = 256;  // columns of C kept in a local accumulator (small-k case)
constexpr int64_t kBlock = 2048;  // reduction block (small-n case): the n rows of B stay in L1/L2

/** Row-major copy of an r x c matrix stored transposed (element (i, j) at src[j * ld + i]). */
template <typename T>
void packTransposed(const T* src, int64_t ld, int64_t r, int64_t c, std::vector<T>& dst) {
  dst.resize(r * c);
  for (int64_t j = 0; j < c; j++)
    for (int64_t i = 0; i < r; i++) dst[i * c + j] = src[j * ld + i];
}

/** C = A B + beta C with k <= 16: each row of C is a sum of k scaled rows of B, vectorized along n. */
template <typename T>
void smallK(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b, int64_t ldb, T* c,
            int64_t ldc, T beta) {
  std::vector<T> ap, bp;
  if (ta) {
    packTransposed(a, lda, m, k, ap);
    a = ap.data();
    lda = k;
  }
  if (tb) {
    packTransposed(b, ldb, k, n, bp);
    b = bp.data();
    ldb = n;
  }
  const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(1, n * k));
  parallelFor(m, grain, [&](int64_t i0, int64_t i1) {
    T acc[kTile];
    for (int64_t j0 = 0; j0 < n; j0 += kTile) {
      const int64_t w = std::min(kTile, n - j0);
      for (int64_t i = i0; i < i1; i++) {
        T* ci = c + i * ldc + j0;
        const T* ai = a + i * lda;
        if (beta == T(0)) {
#pragma omp simd
          for (int64_t j = 0; j < w; j++) acc[j] = T(0);
        } else {
#pragma omp simd
          for (int64_t j = 0; j < w; j++) acc[j] = beta * ci[j];
        }
        for (int64_t p = 0; p < k; p++) {
          const T s = ai[p];
          const T* bj = b + p * ldb + j0;
#pragma omp simd
          for (int64_t j = 0; j < w; j++) acc[j] = std::fma(s, bj[j], acc[j]);
        }
#pragma omp simd
        for (int64_t j = 0; j < w; j++) ci[j] = acc[j];
      }
    }
  });
}

/**
 * C = A^T B + beta C with n <= 16 and A stored k x m (rows of A^T are its columns): computed as the
 * n x m product D = B^T A, one axpy along m per (p, j), then written transposed into C.
 */
template <typename T>
void smallNTransposedA(int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, bool tb, const T* b, int64_t ldb,
                       T* c, int64_t ldc, T beta) {
  const int64_t grain = std::max<int64_t>(64, 32768 / std::max<int64_t>(1, n * k));
  parallelFor(m, grain, [&](int64_t i0, int64_t i1) {
    const int64_t w = i1 - i0;
    std::vector<T> d(static_cast<size_t>(n * w), T(0));
    for (int64_t p = 0; p < k; p++) {
      const T* ap = a + p * lda + i0;
      for (int64_t j = 0; j < n; j++) {
        const T s = tb ? b[j * ldb + p] : b[p * ldb + j];
        T* dj = d.data() + j * w;
#pragma omp simd
        for (int64_t i = 0; i < w; i++) dj[i] = std::fma(s, ap[i], dj[i]);
      }
    }
    for (int64_t i = 0; i < w; i++)
      for (int64_t j = 0; j < n; j++) {
        T* ci = c + (i0 + i) * ldc + j;
        *ci = beta == T(0) ? d[j * w + i] : beta * *ci + d[j * w + i];
      }
  });
}

/** s[j] = sum_p a[p] * b[j * ldb + p] for the n <= 16 rows of b: one dot product at a time. */
template <typename T>
void dotRows(int64_t n, const T* a, const T* b, int64_t ldb, int64_t len, T* s) {
  for (int64_t j = 0; j < n; j++) {
    const T* bj = b + j * ldb;
    T sum = T(0);
#pragma omp simd reduction(+ : sum)
    for (int64_t p = 0; p < len; p++) sum += a[p] * bj[p];
    s[j] = sum;
  }
}

#if defined(__AVX512F__)
/**
 * The N dot products together, one register of 16 partial sums each: every load of `a` serves N products
 * and the N addition chains are independent (one dot at a time waits on its single chain's latency).
 */
template <int N>
void dotRowsF(const float* a, const float* b, int64_t ldb, int64_t len, float* s) {
  __m512 acc[N];
  for (int j = 0; j < N; j++) acc[j] = _mm512_setzero_ps();
  int64_t p = 0;
  for (; p + 16 <= len; p += 16) {
    const __m512 av = _mm512_loadu_ps(a + p);
    for (int j = 0; j < N; j++) acc[j] = _mm512_add_ps(acc[j], _mm512_mul_ps(av, _mm512_loadu_ps(b + j * ldb + p)));
  }
  if (p < len) {
    const __mmask16 m = static_cast<__mmask16>((1u << (len - p)) - 1);
    const __m512 av = _mm512_maskz_loadu_ps(m, a + p);
    for (int j = 0; j < N; j++)
      acc[j] = _mm512_add_ps(acc[j], _mm512_mul_ps(av, _mm512_maskz_loadu_ps(m, b + j * ldb + p)));
  }
  for (int j = 0; j < N; j++) s[j] = _mm512_reduce_add_ps(acc[j]);
}

template <>
void dotRows<float>(int64_t n, const float* a, const float* b, int64_t ldb, int64_t len, float* s) {
  switch (n) {
#define GL_DOTS(N) \
  case N:          \
    return dotRowsF<N>(a, b, ldb, len, s);
    GL_DOTS(1) GL_DOTS(2) GL_DOTS(3) GL_DOTS(4) GL_DOTS(5) GL_DOTS(6) GL_DOTS(7) GL_DOTS(8)
    GL_DOTS(9) GL_DOTS(10) GL_DOTS(11) GL_DOTS(12) GL_DOTS(13) GL_DOTS(14) GL_DOTS(15) GL_DOTS(16)
#undef GL_DOTS
    default:
      for (int64_t j0 = 0; j0 < n; j0 += 16) dotRows<float>(std::min<int64_t>(16, n - j0), a, b + j0 * ldb, ldb, len, s + j0);
  }
}
#endif

/** C = A B + beta C with n <= 16: n dot products per row of A, blocked along k so B's n rows stay cached. */
template <typename T>
void smallN(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b, int64_t ldb, T* c,
            int64_t ldc, T beta) {
  if (ta) {
    smallNTransposedA(m, n, k, a, lda, tb, b, ldb, c, ldc, beta);
    return;
  }
  std::vector<T> bp;
  if (!tb) {  // want B's columns as contiguous rows: B^T is n x k
    packTransposed(b, ldb, n, k, bp);
    b = bp.data();
    ldb = k;
  }
  const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(1, n * k));
  parallelFor(m, grain, [&](int64_t i0, int64_t i1) {
    for (int64_t p0 = 0; p0 < k; p0 += kBlock) {
      const int64_t len = std::min(kBlock, k - p0);
      for (int64_t i = i0; i < i1; i++) {
        const T* ai = a + i * lda + p0;
        T* ci = c + i * ldc;
        T sums[kSmall];
        dotRows(n, ai, b + p0, ldb, len, sums);
        for (int64_t j = 0; j < n; j++) {
          const T s = sums[j];
          if (p0 > 0)
            ci[j] += s;
          else
            ci[j] = beta == T(0) ? s : beta * ci[j] + s;
        }
      }
    }
  });
}

}  // namespace

template <typename T>
bool gemmSmall(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b, int64_t ldb,
               T* c, int64_t ldc, T beta) {
  if (m <= 0 || n <= 0 || k <= 0) return false;
  if (k <= kSmall && n >= 16) {
    smallK(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, beta);
    return true;
  }
  if (n <= kSmall && k >= 32) {
    smallN(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, beta);
    return true;
  }
  return false;
}

template bool gemmSmall<float>(bool, bool, int64_t, int64_t, int64_t, const float*, int64_t, const float*, int64_t,
                               float*, int64_t, float);
template bool gemmSmall<double>(bool, bool, int64_t, int64_t, int64_t, const double*, int64_t, const double*, int64_t,
                                double*, int64_t, double);

}  // namespace gl
