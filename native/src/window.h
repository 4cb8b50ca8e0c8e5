// Sliding-window helpers shared by the convolution kernels: geometry, im2col, col2im and scratch buffers.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "common.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace gl {

/** Scratch slots per thread: 0 columns, 1 GEMM output, 2 gathered gradient. */
constexpr int kScratchSlots = 3;

/** A grow-only buffer per (calling thread, slot): large temporaries without a malloc and page faults per call. */
template <typename T>
T* scratch(int slot, size_t n) {
  thread_local std::vector<std::unique_ptr<T[]>> bufs(kScratchSlots);
  thread_local std::vector<size_t> sizes(kScratchSlots, 0);
  if (sizes[slot] < n) {
    bufs[slot].reset(new T[n]);
    sizes[slot] = n;
  }
  return bufs[slot].get();
}

struct Window {
  int64_t C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo;
  int64_t L() const { return Ho * Wo; }
  int64_t K() const { return C * kh * kw; }
};

/** dst[0..n) = src[0..n): short rows of a small image (n <= 16 floats: one masked AVX-512 load and store). */
template <typename T>
inline void copyRow(T* dst, const T* src, int64_t n) {
#pragma omp simd
  for (int64_t j = 0; j < n; j++) dst[j] = src[j];
}

#if defined(__AVX512F__)
template <>
inline void copyRow<float>(float* dst, const float* src, int64_t n) {
  if (n > 16) {
#pragma omp simd
    for (int64_t j = 0; j < n; j++) dst[j] = src[j];
    return;
  }
  const __mmask16 m = static_cast<__mmask16>((1u << n) - 1);
  _mm512_mask_storeu_ps(dst, m, _mm512_maskz_loadu_ps(m, src));
}
template <>
inline void copyRow<double>(double* dst, const double* src, int64_t n) {
  if (n > 8) {
#pragma omp simd
    for (int64_t j = 0; j < n; j++) dst[j] = src[j];
    return;
  }
  const __mmask8 m = static_cast<__mmask8>((1u << n) - 1);
  _mm512_mask_storeu_pd(dst, m, _mm512_maskz_loadu_pd(m, src));
}
#endif

/** Writes the [C*kh*kw, Ho*Wo] columns of channels [c0, c1) of one dense C x H x W image; row stride `ld`. */
template <typename T>
void im2col(const T* x, const Window& g, int64_t c0, int64_t c1, T* cols, int64_t ld, T pad) {
  for (int64_t c = c0; c < c1; c++)
    for (int64_t ki = 0; ki < g.kh; ki++)
      for (int64_t kj = 0; kj < g.kw; kj++) {
        T* row = cols + ((c * g.kh + ki) * g.kw + kj) * ld;
        for (int64_t oi = 0; oi < g.Ho; oi++) {
          const int64_t hi = oi * g.sh - g.ph + ki * g.dh;
          T* dst = row + oi * g.Wo;
          if (hi < 0 || hi >= g.H) {
            for (int64_t oj = 0; oj < g.Wo; oj++) dst[oj] = pad;
            continue;
          }
          const T* src = x + (c * g.H + hi) * g.W;
          const int64_t base = kj * g.dw - g.pw;
          if (g.sw == 1 && base >= 0 && base + g.Wo <= g.W) {
            // short rows: an inline (masked) vector copy beats a memcpy call per row
            copyRow(dst, src + base, g.Wo);
          } else {
            for (int64_t oj = 0; oj < g.Wo; oj++) {
              const int64_t wj = oj * g.sw + base;
              dst[oj] = (wj >= 0 && wj < g.W) ? src[wj] : pad;
            }
          }
        }
      }
}

/** Adds the columns of channel c (row stride `ld`) back into the dense image plane (col2im of one channel). */
template <typename T>
void col2imChannel(const T* cols, int64_t ld, const Window& g, int64_t c, T* y) {
  T* plane = y + c * g.H * g.W;
  for (int64_t ki = 0; ki < g.kh; ki++)
    for (int64_t kj = 0; kj < g.kw; kj++) {
      const T* row = cols + ((c * g.kh + ki) * g.kw + kj) * ld;
      for (int64_t oi = 0; oi < g.Ho; oi++) {
        const int64_t hi = oi * g.sh - g.ph + ki * g.dh;
        if (hi < 0 || hi >= g.H) continue;
        T* dst = plane + hi * g.W;
        const T* src = row + oi * g.Wo;
        const int64_t base = kj * g.dw - g.pw;
        if (g.sw == 1 && base >= 0 && base + g.Wo <= g.W) {
          T* to = dst + base;
#pragma omp simd
          for (int64_t oj = 0; oj < g.Wo; oj++) to[oj] += src[oj];
          continue;
        }
        for (int64_t oj = 0; oj < g.Wo; oj++) {
          const int64_t wj = oj * g.sw + base;
          if (wj >= 0 && wj < g.W) dst[wj] += src[oj];
        }
      }
    }
}

/**
 * Writes the image plane of channel c as the sum of its columns (col2im of one channel, nothing added to
 * what was there). Rows of at most 16 floats with unit stride, on AVX-512, are summed in one register per
 * output row (each contribution loaded shifted into place, masked; the row stored once); other shapes
 * zero the plane and add the columns. Both add each element's contributions in the same (ki, kj) order.
 */
template <typename T>
void col2imPlane(const T* cols, int64_t ld, const Window& g, int64_t c, T* y) {
  std::memset(y + c * g.H * g.W, 0, sizeof(T) * g.H * g.W);
  col2imChannel(cols, ld, g, c, y);
}

#if defined(__AVX512F__)
template <>
inline void col2imPlane<float>(const float* cols, int64_t ld, const Window& g, int64_t c, float* y) {
  float* plane = y + c * g.H * g.W;
  if (g.sw != 1 || g.W > 16 || g.Wo > 16) {
    std::memset(plane, 0, sizeof(float) * g.H * g.W);
    col2imChannel(cols, ld, g, c, y);
    return;
  }
  const __mmask16 rowMask = static_cast<__mmask16>((1u << g.W) - 1);
  for (int64_t hi = 0; hi < g.H; hi++) {
    __m512 acc = _mm512_setzero_ps();
    for (int64_t ki = 0; ki < g.kh; ki++) {
      // output row oi reaches input row hi through tap ki when oi * sh - ph + ki * dh == hi
      const int64_t t = hi + g.ph - ki * g.dh;
      if (t < 0 || t % g.sh != 0) continue;
      const int64_t oi = t / g.sh;
      if (oi >= g.Ho) continue;
      for (int64_t kj = 0; kj < g.kw; kj++) {
        const float* src = cols + ((c * g.kh + ki) * g.kw + kj) * ld + oi * g.Wo;
        // column oj lands on input column oj + base: lanes [base, base + Wo) clipped to [0, W)
        const int64_t base = kj * g.dw - g.pw;
        const int64_t lo = std::max<int64_t>(0, base), hiLane = std::min<int64_t>(g.W, base + g.Wo);
        if (lo >= hiLane) continue;
        const __mmask16 m = static_cast<__mmask16>(((1u << hiLane) - 1) & ~((1u << lo) - 1));
        // masked-off lanes are never read, so src - base may point outside the row
        acc = _mm512_add_ps(acc, _mm512_maskz_loadu_ps(m, src - base));
      }
    }
    _mm512_mask_storeu_ps(plane + hi * g.W, rowMask, acc);
  }
}
#endif

inline Window readWindow(int& at) {
  Window g;
  g.C = g_meta[at++];
  g.H = g_meta[at++];
  g.W = g_meta[at++];
  g.kh = g_meta[at++];
  g.kw = g_meta[at++];
  g.sh = g_meta[at++];
  g.sw = g_meta[at++];
  g.ph = g_meta[at++];
  g.pw = g_meta[at++];
  g.dh = g_meta[at++];
  g.dw = g_meta[at++];
  g.Ho = g_meta[at++];
  g.Wo = g_meta[at++];
  return g;
}

}  // namespace gl
