// The two gradients of conv2d as single kernels: one GEMM per group over an image chunk, no permuted copies.
#include <algorithm>
#include <cstring>
#include <vector>

#include "blas.h"
#include "kernels.h"
#include "threads.h"
#include "window.h"

namespace gl {
namespace {

/** Images per chunk: keeps the [K, chunk*L] column buffer near 8M elements. */
int64_t chunkOf(int64_t N, int64_t K, int64_t L) {
  return std::max<int64_t>(1, std::min<int64_t>(N, (int64_t(8) << 20) / std::max<int64_t>(1, K * L)));
}

/** gbuf[Og, nb*L] = the group's rows of g[n0 .. n0+nb) ([N, O, L] dense): image j's block starts at column j*L. */
template <typename T>
void gatherGroup(T* gbuf, const T* g, int64_t n0, int64_t nb, int64_t O, int64_t gi, int64_t Og, int64_t L) {
  const int64_t ld = nb * L;
  parallelFor(nb * Og, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, L)), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) {
      const int64_t j = i / Og, o = i % Og;
      std::memcpy(gbuf + o * ld + j * L, g + ((n0 + j) * O + gi * Og + o) * L, sizeof(T) * L);
    }
  });
}

/** dx[N, G*Cg, H, W] from g[N, O, L] and w[O, Cg, kh, kw]: columns = w_g^T g_g, then col2im. */
template <typename T>
void inputGradTyped(T* dx, const T* g, const T* w, int64_t N, int64_t O, int64_t G, const Window& win) {
  const int64_t Cg = win.C, K = win.K(), L = win.L(), Og = O / G, plane = win.H * win.W;
  if (N == 0 || Cg == 0 || plane == 0) return;
  if (L == 0 || Og == 0) {
    std::memset(dx, 0, sizeof(T) * N * G * Cg * plane);
    return;
  }
  const int64_t chunk = chunkOf(N, K, L);
  T* cols = scratch<T>(0, static_cast<size_t>(K * chunk * L));
  T* gbuf = scratch<T>(2, static_cast<size_t>(Og * chunk * L));
  for (int64_t n0 = 0; n0 < N; n0 += chunk) {
    const int64_t nb = std::min(chunk, N - n0), ld = nb * L;
    for (int64_t gi = 0; gi < G; gi++) {
      gatherGroup(gbuf, g, n0, nb, O, gi, Og, L);
      gemm<T>(true, false, K, ld, Og, w + gi * Og * K, K, gbuf, ld, cols, ld);
      parallelFor(nb * Cg, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, win.kh * win.kw * L)),
                  [&](int64_t b, int64_t e) {
                    for (int64_t i = b; i < e; i++) {
                      const int64_t j = i / Cg, c = i % Cg;
                      col2imPlane(cols + j * L, ld, win, c, dx + ((n0 + j) * G + gi) * Cg * plane);
                    }
                  });
    }
  }
}

/** dw[O, Cg, kh, kw] from x[N, G*Cg, H, W] and g[N, O, L]: sum over image chunks of g_g columns^T. */
template <typename T>
void weightGradTyped(T* dw, const T* x, const T* g, int64_t N, int64_t O, int64_t G, const Window& win) {
  const int64_t Cg = win.C, K = win.K(), L = win.L(), Og = O / G;
  const int64_t imageSize = G * Cg * win.H * win.W;
  if (O == 0 || K == 0) return;
  if (N == 0 || L == 0) {
    std::memset(dw, 0, sizeof(T) * O * K);
    return;
  }
  if (K <= 16 && L >= 32) {
    // tiny K (e.g. one input channel, 3x3): images split into one part per thread; each part sums its
    // images' g_n cols_n^T (small-n products, columns in the worker's scratch, g read in place) into its
    // own O x K partial; the partials are then added in part order, so the result does not depend on timing
    // (K <= 16 and L >= 32 send every product to gemmSmall: BLAS is never called from a pool worker)
    const int64_t parts = std::min<int64_t>(threadCount(), N), per = (N + parts - 1) / parts;
    std::vector<T> partial(static_cast<size_t>(parts * O * K), T(0));
    parallelFor(parts, 1, [&](int64_t b, int64_t e) {
      T* cols = scratch<T>(0, static_cast<size_t>(K * L));
      for (int64_t part = b; part < e; part++)
        for (int64_t n = part * per; n < std::min(N, (part + 1) * per); n++)
          for (int64_t gi = 0; gi < G; gi++) {
            im2col(x + n * imageSize + gi * Cg * win.H * win.W, win, 0, Cg, cols, L, T(0));
            gemm<T>(false, true, Og, K, L, g + (n * O + gi * Og) * L, L, cols, L,
                    partial.data() + (part * O + gi * Og) * K, K, T(1));
          }
    });
    for (int64_t i = 0; i < O * K; i++) {
      T s = partial[i];
      for (int64_t part = 1; part < parts; part++) s += partial[part * O * K + i];
      dw[i] = s;
    }
    return;
  }
  const int64_t chunk = chunkOf(N, K, L);
  T* cols = scratch<T>(0, static_cast<size_t>(K * chunk * L));
  T* gbuf = scratch<T>(2, static_cast<size_t>(Og * chunk * L));
  for (int64_t n0 = 0; n0 < N; n0 += chunk) {
    const int64_t nb = std::min(chunk, N - n0), ld = nb * L;
    for (int64_t gi = 0; gi < G; gi++) {
      parallelFor(nb * Cg, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, win.kh * win.kw * L)),
                  [&](int64_t b, int64_t e) {
                    for (int64_t i = b; i < e; i++) {
                      const int64_t j = i / Cg, c = i % Cg;
                      const T* img = x + (n0 + j) * imageSize + gi * Cg * win.H * win.W;
                      im2col(img, win, c, c + 1, cols + j * L, ld, T(0));
                    }
                  });
      gatherGroup(gbuf, g, n0, nb, O, gi, Og, L);
      gemm<T>(false, true, Og, K, ld, gbuf, ld, cols, ld, dw + gi * Og * K, K, n0 == 0 ? T(0) : T(1));
    }
  }
}

/** Reads [N, O, G, window(13) with C = channels per group, offsets...] as conv2d does. */
struct ConvCall {
  int64_t N, O, G;
  Window win;
  int64_t off[3];
};

ConvCall readConvCall() {
  ConvCall c;
  int at = 0;
  c.N = g_meta[at++];
  c.O = g_meta[at++];
  c.G = g_meta[at++];
  c.win = readWindow(at);
  for (int i = 0; i < 3; i++) c.off[i] = g_meta[at++];
  return c;
}

}  // namespace

// conv2dInputGrad(dtype, dx, g, w): meta = [N, O, G, window(13) of the input, gOff, wOff, dxOff]; g, w dense
Napi::Value Conv2dInputGrad(const Napi::CallbackInfo& info) {
  const ConvCall c = readConvCall();
  return byFloatType(info, [&](auto zero) {
    using T = decltype(zero);
    inputGradTyped(static_cast<T*>(dataOf(info, 1)) + c.off[2], static_cast<const T*>(dataOf(info, 2)) + c.off[0],
                   static_cast<const T*>(dataOf(info, 3)) + c.off[1], c.N, c.O, c.G, c.win);
  });
}

// conv2dWeightGrad(dtype, dw, x, g): meta = [N, O, G, window(13) of the input, xOff, gOff, dwOff]; x, g dense
Napi::Value Conv2dWeightGrad(const Napi::CallbackInfo& info) {
  const ConvCall c = readConvCall();
  return byFloatType(info, [&](auto zero) {
    using T = decltype(zero);
    weightGradTyped(static_cast<T*>(dataOf(info, 1)) + c.off[2], static_cast<const T*>(dataOf(info, 2)) + c.off[0],
                    static_cast<const T*>(dataOf(info, 3)) + c.off[1], c.N, c.O, c.G, c.win);
  });
}

}  // namespace gl
