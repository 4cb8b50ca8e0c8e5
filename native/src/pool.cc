// Fused max pooling: the window maximum of each output, and the gradient added at each window's argmax.
#include <algorithm>
#include <cstring>
#include <limits>

#include "common.h"
#include "kernels.h"
#include "threads.h"

namespace gl {
namespace {

/** Geometry of a max pooling call and the strided input view (see readPool for the meta layout). */
struct Pool {
  int64_t N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo;
  int64_t xo, xs[4], oo;
};

Pool readPool(int& at) {
  Pool p;
  int64_t* f[] = {&p.N, &p.C, &p.H, &p.W, &p.kh, &p.kw, &p.sh, &p.sw, &p.ph, &p.pw, &p.dh, &p.dw, &p.Ho, &p.Wo, &p.xo};
  for (int64_t* v : f) *v = g_meta[at++];
  for (int d = 0; d < 4; d++) p.xs[d] = g_meta[at++];
  p.oo = g_meta[at++];
  return p;
}

/**
 * The maximum of window (oi, oj) of one plane of x (strides sh/sw of H/W in p.xs) and where it sits
 * as h * W + w, or -1 when it is a padded position (which counts as -infinity). The first maximum in
 * row-major window order wins and the first NaN wins outright, as the argmax kernel decides.
 */
template <typename T>
inline int64_t windowMax(const T* plane, const Pool& p, int64_t oi, int64_t oj, T& best) {
  const int64_t h0 = oi * p.sh - p.ph, w0 = oj * p.sw - p.pw;
  const int64_t sH = p.xs[2], sW = p.xs[3];
  int64_t at = -1;
  bool first = true;
  for (int64_t ki = 0; ki < p.kh; ki++) {
    const int64_t h = h0 + ki * p.dh;
    const bool rowIn = h >= 0 && h < p.H;
    for (int64_t kj = 0; kj < p.kw; kj++) {
      const int64_t w = w0 + kj * p.dw;
      const bool inside = rowIn && w >= 0 && w < p.W;
      const T v = inside ? plane[h * sH + w * sW] : -std::numeric_limits<T>::infinity();
      if (first || v > best || v != v) {
        best = v;
        at = inside ? h * p.W + w : -1;
        first = false;
        if (v != v) return at;
      }
    }
  }
  return at;
}

/** Planes (n, c) per parallel chunk: about 4096 window elements each. */
int64_t grain(const Pool& p) {
  return std::max<int64_t>(1, 4096 / std::max<int64_t>(1, p.Ho * p.Wo * p.kh * p.kw));
}

template <typename T>
void maxPoolTyped(T* out, const T* x, const Pool& p) {
  const int64_t L = p.Ho * p.Wo;
  parallelFor(p.N * p.C, grain(p), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) {
      const T* plane = x + (i / p.C) * p.xs[0] + (i % p.C) * p.xs[1];
      T* y = out + i * L;
      for (int64_t oi = 0; oi < p.Ho; oi++)
        for (int64_t oj = 0; oj < p.Wo; oj++) {
          T best = 0;
          windowMax(plane, p, oi, oj, best);
          y[oi * p.Wo + oj] = best;
        }
    }
  });
}

template <typename T>
void maxPoolGradTyped(T* out, const T* g, const int64_t* gs, const T* x, const Pool& p) {
  const int64_t HW = p.H * p.W;
  parallelFor(p.N * p.C, grain(p), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) {
      const int64_t n = i / p.C, c = i % p.C;
      const T* plane = x + n * p.xs[0] + c * p.xs[1];
      const T* gp = g + n * gs[0] + c * gs[1];
      T* dx = out + i * HW;
      std::memset(dx, 0, sizeof(T) * HW);
      for (int64_t oi = 0; oi < p.Ho; oi++)
        for (int64_t oj = 0; oj < p.Wo; oj++) {
          T best = 0;
          const int64_t at = windowMax(plane, p, oi, oj, best);
          if (at >= 0) dx[at] += gp[oi * gs[2] + oj * gs[3]];
        }
    }
  });
}

}  // namespace

// maxPool2d(dtype, out, x): meta = [N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo, xOff, xStrides(4), outOff]
Napi::Value MaxPool2d(const Napi::CallbackInfo& info) {
  int dt = intArg(info, 0);
  int at = 0;
  Pool p = readPool(at);
  if (dt == F32)
    maxPoolTyped(static_cast<float*>(dataOf(info, 1)) + p.oo, static_cast<const float*>(dataOf(info, 2)) + p.xo, p);
  else if (dt == F64)
    maxPoolTyped(static_cast<double*>(dataOf(info, 1)) + p.oo, static_cast<const double*>(dataOf(info, 2)) + p.xo, p);
  else
    return Napi::Boolean::New(info.Env(), false);
  return Napi::Boolean::New(info.Env(), true);
}

// maxPool2dGrad(dtype, out, g, x): meta = maxPool2d's (geometry of x), then gOff, gStrides(4); out dense like x
Napi::Value MaxPool2dGrad(const Napi::CallbackInfo& info) {
  int dt = intArg(info, 0);
  int at = 0;
  Pool p = readPool(at);
  const int64_t go = g_meta[at++];
  int64_t gs[4];
  for (int d = 0; d < 4; d++) gs[d] = g_meta[at++];
  if (dt == F32)
    maxPoolGradTyped(static_cast<float*>(dataOf(info, 1)) + p.oo, static_cast<const float*>(dataOf(info, 2)) + go, gs,
                     static_cast<const float*>(dataOf(info, 3)) + p.xo, p);
  else if (dt == F64)
    maxPoolGradTyped(static_cast<double*>(dataOf(info, 1)) + p.oo, static_cast<const double*>(dataOf(info, 2)) + go,
                     gs, static_cast<const double*>(dataOf(info, 3)) + p.xo, p);
  else
    return Napi::Boolean::New(info.Env(), false);
  return Napi::Boolean::New(info.Env(), true);
}

}  // namespace gl
