// Sliding-window kernels: unfold (im2col), fold (col2im) and conv2d as im2col + one GEMM per image chunk.
#include <cstring>
#include <memory>
#include <vector>

#include "blas.h"
#include "common.h"
#include "kernels.h"
#include "threads.h"

namespace gl {
namespace {

/** A grow-only buffer per (calling thread, slot): large temporaries without a malloc and page faults per call. */
template <typename T>
T* scratch(int slot, size_t n) {
  thread_local std::vector<std::unique_ptr<T[]>> bufs(2);
  thread_local std::vector<size_t> sizes(2, 0);
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

/** Adds the columns of channel c back into the dense image plane (col2im of one channel). */
template <typename T>
void col2imChannel(const T* cols, const Window& g, int64_t c, T* y) {
  const int64_t L = g.L();
  T* plane = y + c * g.H * g.W;
  for (int64_t ki = 0; ki < g.kh; ki++)
    for (int64_t kj = 0; kj < g.kw; kj++) {
      const T* row = cols + ((c * g.kh + ki) * g.kw + kj) * L;
      for (int64_t oi = 0; oi < g.Ho; oi++) {
        const int64_t hi = oi * g.sh - g.ph + ki * g.dh;
        if (hi < 0 || hi >= g.H) continue;
        T* dst = plane + hi * g.W;
        const T* src = row + oi * g.Wo;
        for (int64_t oj = 0; oj < g.Wo; oj++) {
          const int64_t wj = oj * g.sw - g.pw + kj * g.dw;
          if (wj >= 0 && wj < g.W) dst[wj] += src[oj];
        }
      }
    }
}

Window readWindow(int& at) {
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

template <typename T>
void unfoldTyped(T* out, const T* x, int64_t N, const Window& g, T pad) {
  const int64_t K = g.K(), L = g.L();
  parallelFor(N * g.C, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, g.kh * g.kw * L)), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) {
      const int64_t n = i / g.C, c = i % g.C;
      im2col(x + n * g.C * g.H * g.W, g, c, c + 1, out + n * K * L, L, pad);
    }
  });
}

template <typename T>
void foldTyped(T* out, const T* cols, int64_t N, const Window& g) {
  const int64_t K = g.K(), L = g.L(), plane = g.H * g.W;
  parallelFor(N * g.C, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, g.kh * g.kw * L)), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) {
      const int64_t n = i / g.C, c = i % g.C;
      T* y = out + n * g.C * plane;
      std::memset(y + c * plane, 0, sizeof(T) * plane);
      col2imChannel(cols + n * K * L, g, c, y);
    }
  });
}

/** y[N, O, L] = conv(x[N, G*Cg, H, W], w[O, Cg, kh, kw]) with groups G. */
template <typename T>
void conv2dTyped(T* y, const T* x, const T* w, int64_t N, int64_t O, int64_t G, const Window& g) {
  const int64_t Cg = g.C, K = g.K(), L = g.L(), Og = O / G;
  const int64_t imageSize = G * Cg * g.H * g.W;
  if (N == 0 || O == 0 || L == 0) return;
  if (K == 0) {
    std::memset(y, 0, sizeof(T) * N * O * L);
    return;
  }
  // images per chunk: keep the column buffer near 8M elements
  const int64_t chunk = std::max<int64_t>(1, std::min<int64_t>(N, (int64_t(8) << 20) / std::max<int64_t>(1, K * L)));
  // scratch reused across calls: no zero-fill and no fresh pages (page faults) on every step
  T* cols = scratch<T>(0, static_cast<size_t>(K * chunk * L));
  T* tmp = scratch<T>(1, static_cast<size_t>(Og * chunk * L));
  for (int64_t n0 = 0; n0 < N; n0 += chunk) {
    const int64_t nb = std::min(chunk, N - n0);
    const int64_t ld = nb * L;
    for (int64_t gi = 0; gi < G; gi++) {
      parallelFor(nb * Cg, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, g.kh * g.kw * L)), [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; i++) {
          const int64_t j = i / Cg, c = i % Cg;
          const T* img = x + (n0 + j) * imageSize + gi * Cg * g.H * g.W;
          im2col(img, g, c, c + 1, cols + j * L, ld, T(0));
        }
      });
      gemm<T>(false, false, Og, ld, K, w + gi * Og * K, K, cols, ld, tmp, ld);
      for (int64_t j = 0; j < nb; j++)
        for (int64_t o = 0; o < Og; o++)
          std::memcpy(y + ((n0 + j) * O + gi * Og + o) * L, tmp + o * ld + j * L, sizeof(T) * L);
    }
  }
}

}  // namespace

// unfold(dtype, out, x, padValue): meta = [N, window(13), xOffset, outOffset]; x dense
Napi::Value Unfold(const Napi::CallbackInfo& info) {
  int dt = intArg(info, 0);
  int at = 0;
  int64_t N = g_meta[at++];
  Window g = readWindow(at);
  int64_t xo = g_meta[at++], oo = g_meta[at++];
  double pad = numArg(info, 3);
  if (dt == F32)
    unfoldTyped(static_cast<float*>(dataOf(info, 1)) + oo, static_cast<const float*>(dataOf(info, 2)) + xo, N, g, float(pad));
  else if (dt == F64)
    unfoldTyped(static_cast<double*>(dataOf(info, 1)) + oo, static_cast<const double*>(dataOf(info, 2)) + xo, N, g, pad);
  else
    return Napi::Boolean::New(info.Env(), false);
  return Napi::Boolean::New(info.Env(), true);
}

// fold(dtype, out, x): meta = [N, window(13) of the output image, xOffset, outOffset]; x dense
Napi::Value Fold(const Napi::CallbackInfo& info) {
  int dt = intArg(info, 0);
  int at = 0;
  int64_t N = g_meta[at++];
  Window g = readWindow(at);
  int64_t xo = g_meta[at++], oo = g_meta[at++];
  if (dt == F32)
    foldTyped(static_cast<float*>(dataOf(info, 1)) + oo, static_cast<const float*>(dataOf(info, 2)) + xo, N, g);
  else if (dt == F64)
    foldTyped(static_cast<double*>(dataOf(info, 1)) + oo, static_cast<const double*>(dataOf(info, 2)) + xo, N, g);
  else
    return Napi::Boolean::New(info.Env(), false);
  return Napi::Boolean::New(info.Env(), true);
}

// conv2d(dtype, out, x, w): meta = [N, O, G, window(13) with C = channels per group, xOff, wOff, outOff]; x, w dense
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  int dt = intArg(info, 0);
  int at = 0;
  int64_t N = g_meta[at++], O = g_meta[at++], G = g_meta[at++];
  Window g = readWindow(at);
  int64_t xo = g_meta[at++], wo = g_meta[at++], oo = g_meta[at++];
  if (dt == F32)
    conv2dTyped(static_cast<float*>(dataOf(info, 1)) + oo, static_cast<const float*>(dataOf(info, 2)) + xo,
                static_cast<const float*>(dataOf(info, 3)) + wo, N, O, G, g);
  else if (dt == F64)
    conv2dTyped(static_cast<double*>(dataOf(info, 1)) + oo, static_cast<const double*>(dataOf(info, 2)) + xo,
                static_cast<const double*>(dataOf(info, 3)) + wo, N, O, G, g);
  else
    return Napi::Boolean::New(info.Env(), false);
  return Napi::Boolean::New(info.Env(), true);
}

}  // namespace gl
