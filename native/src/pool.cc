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
 * The exact rule for window (oi, oj) of one plane of x: its maximum (into `best`) and where it sits as
 * h * W + w, or -1 when that is a padded position (padding counts as -infinity). The first maximum in
 * row-major window order wins and the first NaN wins outright, as in the argmax kernel. Used for
 * windows that touch the padding or hold a NaN; windowFast handles the rest.
 */
template <typename T>
int64_t windowExact(const T* plane, const Pool& p, int64_t oi, int64_t oj, T& best) {
  const int64_t h0 = oi * p.sh - p.ph, w0 = oj * p.sw - p.pw;
  int64_t at = -1;
  bool first = true;
  for (int64_t ki = 0; ki < p.kh; ki++) {
    const int64_t h = h0 + ki * p.dh;
    const bool rowIn = h >= 0 && h < p.H;
    for (int64_t kj = 0; kj < p.kw; kj++) {
      const int64_t w = w0 + kj * p.dw;
      const bool inside = rowIn && w >= 0 && w < p.W;
      const T v = inside ? plane[h * p.xs[2] + w * p.xs[3]] : -std::numeric_limits<T>::infinity();
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

/**
 * A window wholly inside x whose top-left element is (h0, w0): the first maximum (a plain `v > best`
 * chain, which compiles to max instructions) and, when kAt, its position h * W + w; `nan` tells that
 * the window holds a NaN, where the caller must use windowExact instead. KH/KW > 0 fix the kernel size
 * at compile time (fully unrolled loops); 0 reads it from p.
 */
template <typename T, bool kAt, int KH, int KW>
inline T windowFast(const T* plane, const Pool& p, int64_t h0, int64_t w0, int64_t& at, bool& nan) {
  const int64_t kh = KH > 0 ? KH : p.kh, kw = KW > 0 ? KW : p.kw;
  const int64_t rs = p.dh * p.xs[2], cs = p.dw * p.xs[3];
  const T* x0 = plane + h0 * p.xs[2] + w0 * p.xs[3];
  T best = x0[0];
  int32_t k = 0;  // the winner's place in the window, row-major
  bool n = false;
  for (int64_t ki = 0; ki < kh; ki++)
    for (int64_t kj = 0; kj < kw; kj++) {
      const T v = x0[ki * rs + kj * cs];
      const bool take = v > best;
      best = take ? v : best;
      // branch-free select (a conditional move, not a mispredicted branch)
      if (kAt) k += (static_cast<int32_t>(ki * kw + kj) - k) & -static_cast<int32_t>(take);
      n |= v != v;
    }
  nan = n;
  if (kAt) at = (h0 + (k / kw) * p.dh) * p.W + w0 + (k % kw) * p.dw;
  return best;
}

/** The outputs [lo, hi) along one axis whose windows lie wholly inside an input of size n. */
void interior(int64_t n, int64_t k, int64_t s, int64_t pad, int64_t d, int64_t out, int64_t& lo, int64_t& hi) {
  lo = (pad + s - 1) / s;
  const int64_t last = n - 1 - (k - 1) * d + pad;  // largest allowed o * s
  hi = last < 0 ? 0 : std::min<int64_t>(out, last / s + 1);
  if (lo > hi) lo = hi;
}

/**
 * Calls visit(oi, oj, value, at) for every window of one plane in row-major order, `at` being the
 * position of its maximum (h * W + w, or -1 in the padding) when kAt, else unused.
 */
template <typename T, bool kAt, int KH, int KW, typename Visit>
inline void forEachWindowK(const T* plane, const Pool& p, Visit visit) {
  int64_t rlo, rhi, clo, chi;
  interior(p.H, p.kh, p.sh, p.ph, p.dh, p.Ho, rlo, rhi);
  interior(p.W, p.kw, p.sw, p.pw, p.dw, p.Wo, clo, chi);
  for (int64_t oi = 0; oi < p.Ho; oi++) {
    const bool rowInside = oi >= rlo && oi < rhi;
    for (int64_t oj = 0; oj < p.Wo; oj++) {
      T best = 0;
      int64_t at = -1;
      bool nan = true;
      if (rowInside && oj >= clo && oj < chi)
        best = windowFast<T, kAt, KH, KW>(plane, p, oi * p.sh - p.ph, oj * p.sw - p.pw, at, nan);
      if (nan) at = windowExact(plane, p, oi, oj, best);
      visit(oi, oj, best, at);
    }
  }
}

/** forEachWindowK with the kernel size fixed at compile time for the common 2x2 and 3x3 windows. */
template <typename T, bool kAt, typename Visit>
inline void forEachWindow(const T* plane, const Pool& p, Visit visit) {
  if (p.kh == 2 && p.kw == 2)
    forEachWindowK<T, kAt, 2, 2>(plane, p, visit);
  else if (p.kh == 3 && p.kw == 3)
    forEachWindowK<T, kAt, 3, 3>(plane, p, visit);
  else
    forEachWindowK<T, kAt, 0, 0>(plane, p, visit);
}

/** The common case the row kernels below take: 2x2 windows, stride 2, no padding, no dilation, unit-stride input rows. */
bool plain2x2(const Pool& p) {
  return p.kh == 2 && p.kw == 2 && p.sh == 2 && p.sw == 2 && p.ph == 0 && p.pw == 0 && p.dh == 1 && p.dw == 1 &&
         p.xs[3] == 1;
}

/**
 * Runs body(j) for j in [0, n) as fixed blocks of 8 (a constant trip count the compiler vectorizes with
 * no minimum length; pooled rows are short, e.g. 13 windows); the last partial block is redone as the 8
 * windows ending at n, which rewrites some outputs with the same values. Rows under 8 run one by one.
 * Returns the sum of what body returned.
 */
template <typename T, typename Body>
inline T blocksOf8(int64_t n, Body body) {
  T sum = T(0);
  if (n < 8) {
    for (int64_t j = 0; j < n; j++) sum += body(j);
    return sum;
  }
  for (int64_t j0 = 0;; j0 += 8) {
    if (j0 + 8 > n) j0 = n - 8;
#pragma omp simd reduction(+ : sum)
    for (int64_t jj = 0; jj < 8; jj++) sum += body(j0 + jj);
    if (j0 + 8 >= n) return sum;
  }
}

/**
 * One output row of 2x2/stride-2 pooling from input rows r0 and r1 (vectorized: the first maximum in
 * window order a b / c d, ties kept by the earlier element). Returns true when a window held a NaN or an
 * infinity (x - x is then NaN); the caller then redoes the row with the exact rule.
 */
template <typename T>
bool maxRow2x2(const T* r0, const T* r1, T* y, int64_t n) {
  const T bad = blocksOf8<T>(n, [&](int64_t j) {
    const T a = r0[2 * j], b = r0[2 * j + 1], c = r1[2 * j], d = r1[2 * j + 1];
    T m = b > a ? b : a;
    m = c > m ? c : m;
    m = d > m ? d : m;
    y[j] = m;
    return (a - a) + (b - b) + (c - c) + (d - d);
  });
  return bad != bad;
}

/**
 * The gradient rows d0, d1 (input rows 2i and 2i+1) of one 2x2/stride-2 output row: each window writes g
 * at its first maximum and 0 at its other three elements. Written as float selects so it vectorizes: the
 * window's maximum m (the same chain as maxRow2x2), then g goes to the first element equal to m. Returns
 * true when a window held a NaN or an infinity (the caller redoes such a row with the exact rule).
 */
template <typename T>
bool gradRow2x2(const T* r0, const T* r1, const T* g, T* d0, T* d1, int64_t n) {
  const T bad = blocksOf8<T>(n, [&](int64_t j) {
    const T a = r0[2 * j], b = r0[2 * j + 1], c = r1[2 * j], d = r1[2 * j + 1], gv = g[j];
    T m = b > a ? b : a;
    m = c > m ? c : m;
    m = d > m ? d : m;
    T rest = gv;  // g not yet placed
    d0[2 * j] = a == m ? rest : T(0);
    rest = a == m ? T(0) : rest;
    d0[2 * j + 1] = b == m ? rest : T(0);
    rest = b == m ? T(0) : rest;
    d1[2 * j] = c == m ? rest : T(0);
    rest = c == m ? T(0) : rest;
    d1[2 * j + 1] = rest;
    return (a - a) + (b - b) + (c - c) + (d - d);
  });
  return bad != bad;
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
      if (plain2x2(p)) {
        for (int64_t oi = 0; oi < p.Ho; oi++) {
          const T* r0 = plane + 2 * oi * p.xs[2];
          if (!maxRow2x2(r0, r0 + p.xs[2], y + oi * p.Wo, p.Wo)) continue;
          for (int64_t oj = 0; oj < p.Wo; oj++) windowExact(plane, p, oi, oj, y[oi * p.Wo + oj]);
        }
        continue;
      }
      forEachWindow<T, false>(plane, p, [&](int64_t oi, int64_t oj, T v, int64_t) { y[oi * p.Wo + oj] = v; });
    }
  });
}

/**
 * The backward of tiling windows (stride = kernel, no padding, no dilation: every input element is in at
 * most one window): each window writes all of its dx elements once (g at its argmax, 0 elsewhere), then
 * the rows and columns no window covers are zeroed. No zero-fill pass and no read-modify-write.
 */
template <typename T, int KH, int KW>
void tiledGradPlane(T* dx, const T* gp, const int64_t* gs, const T* plane, const Pool& p) {
  const int64_t kh = KH > 0 ? KH : p.kh, kw = KW > 0 ? KW : p.kw;
  for (int64_t oi = 0; oi < p.Ho; oi++) {
    for (int64_t oj = 0; oj < p.Wo; oj++) {
      const int64_t h0 = oi * kh, w0 = oj * kw;
      int64_t at = -1;
      bool nan = false;
      T best = windowFast<T, true, KH, KW>(plane, p, h0, w0, at, nan);
      if (nan) at = windowExact(plane, p, oi, oj, best);
      const T gv = gp[oi * gs[2] + oj * gs[3]];
      for (int64_t ki = 0; ki < kh; ki++) {
        T* row = dx + (h0 + ki) * p.W + w0;
        const int64_t rowAt = (h0 + ki) * p.W + w0;
        for (int64_t kj = 0; kj < kw; kj++) row[kj] = rowAt + kj == at ? gv : T(0);
      }
    }
    if (p.Wo * kw < p.W)
      for (int64_t ki = 0; ki < kh; ki++)
        std::memset(dx + (oi * kh + ki) * p.W + p.Wo * kw, 0, sizeof(T) * (p.W - p.Wo * kw));
  }
  if (p.Ho * kh < p.H) std::memset(dx + p.Ho * kh * p.W, 0, sizeof(T) * (p.H - p.Ho * kh) * p.W);
}

/** tiledGradPlane for plain 2x2 pooling: whole rows through gradRow2x2 (rows holding a NaN take the exact path). */
template <typename T>
void plainGradPlane(T* dx, const T* gp, const int64_t* gs, const T* plane, const Pool& p) {
  for (int64_t oi = 0; oi < p.Ho; oi++) {
    const T* r0 = plane + 2 * oi * p.xs[2];
    T* d0 = dx + 2 * oi * p.W;
    if (gradRow2x2(r0, r0 + p.xs[2], gp + oi * gs[2], d0, d0 + p.W, p.Wo))
      for (int64_t oj = 0; oj < p.Wo; oj++) {
        T best;
        const int64_t at = windowExact(plane, p, oi, oj, best);
        for (int64_t k = 0; k < 4; k++) {
          const int64_t pos = (2 * oi + k / 2) * p.W + 2 * oj + k % 2;
          dx[pos] = pos == at ? gp[oi * gs[2] + oj] : T(0);
        }
      }
    if (2 * p.Wo < p.W) {
      d0[p.W - 1] = T(0);
      d0[2 * p.W - 1] = T(0);
    }
  }
  if (2 * p.Ho < p.H) std::memset(dx + 2 * p.Ho * p.W, 0, sizeof(T) * p.W);
}

template <typename T>
void maxPoolGradTyped(T* out, const T* g, const int64_t* gs, const T* x, const Pool& p) {
  const int64_t HW = p.H * p.W;
  if (p.sh == p.kh && p.sw == p.kw && p.ph == 0 && p.pw == 0 && p.dh == 1 && p.dw == 1) {
    parallelFor(p.N * p.C, grain(p), [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; i++) {
        const T* plane = x + (i / p.C) * p.xs[0] + (i % p.C) * p.xs[1];
        const T* gp = g + (i / p.C) * gs[0] + (i % p.C) * gs[1];
        if (plain2x2(p) && gs[3] == 1)
          plainGradPlane(out + i * HW, gp, gs, plane, p);
        else if (p.kh == 2 && p.kw == 2)
          tiledGradPlane<T, 2, 2>(out + i * HW, gp, gs, plane, p);
        else
          tiledGradPlane<T, 0, 0>(out + i * HW, gp, gs, plane, p);
      }
    });
    return;
  }
  parallelFor(p.N * p.C, grain(p), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) {
      const int64_t n = i / p.C, c = i % p.C;
      const T* plane = x + n * p.xs[0] + c * p.xs[1];
      const T* gp = g + n * gs[0] + c * gs[1];
      T* dx = out + i * HW;
      std::memset(dx, 0, sizeof(T) * HW);
      forEachWindow<T, true>(plane, p, [&](int64_t oi, int64_t oj, T, int64_t at) {
        if (at >= 0) dx[at] += gp[oi * gs[2] + oj * gs[3]];
      });
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
