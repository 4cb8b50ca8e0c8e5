// Sliding-window kernels: unfold (im2col), fold (col2im) and conv2d as im2col + one GEMM per image chunk.
#include <cstring>

#include "blas.h"
#include "kernels.h"
#include "threads.h"
#include "window.h"

namespace gl {
namespace {

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
      col2imPlane(cols + n * K * L, L, g, c, out + n * g.C * plane);
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
  if (K <= 16 && L >= 16) {
    // tiny K (e.g. one input channel, 3x3): per image, columns in the worker's own scratch and a small-k
    // GEMM straight into the image's output planes (no shared column buffer, no transposing copy)
    // (K <= 16 and L >= 16 send every product to gemmSmall: BLAS is never called from a pool worker)
    parallelFor(N, 1, [&](int64_t b, int64_t e) {
      T* cols = scratch<T>(0, static_cast<size_t>(K * L));
      for (int64_t n = b; n < e; n++)
        for (int64_t gi = 0; gi < G; gi++) {
          im2col(x + n * imageSize + gi * Cg * g.H * g.W, g, 0, Cg, cols, L, T(0));
          gemm<T>(false, false, Og, L, K, w + gi * Og * K, K, cols, L, y + (n * O + gi * Og) * L, L);
        }
    });
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
      // [Og, nb*L] -> the images' [Og, L] planes
      parallelFor(nb * Og, std::max<int64_t>(1, 16384 / L), [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; i++) {
          const int64_t j = i / Og, o = i % Og;
          std::memcpy(y + ((n0 + j) * O + gi * Og + o) * L, tmp + o * ld + j * L, sizeof(T) * L);
        }
      });
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
