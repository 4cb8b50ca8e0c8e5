// Sliding-window helpers shared by the convolution kernels: geometry, im2col, col2im and scratch buffers.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "common.h"

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
            // short rows: an inline vectorized copy beats a memcpy call per row
            const T* from = src + base;
#pragma omp simd
            for (int64_t oj = 0; oj < g.Wo; oj++) dst[oj] = from[oj];
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
