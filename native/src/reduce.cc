// Reductions (sum, amax, amin, prod), argmax/argmin along a dim, a numerically stable logSoftmax and its
// one-pass backward.
#include <cmath>
#include <limits>
#include <vector>

#include "common.h"
#include "kernels.h"
#include "loops.h"

namespace gl {
namespace {

template <typename T>
struct SumOp {
  static T init() { return T(0); }
  static T step(T a, T v) { return a + v; }
};
template <typename T>
struct ProdOp {
  static T init() { return T(1); }
  static T step(T a, T v) { return a * v; }
};
template <typename T>
struct MaxOp {
  static T init() { return -std::numeric_limits<T>::infinity(); }
  static T step(T a, T v) { return (v > a || v != v) ? v : a; }  // NaN wins and stays
};
template <typename T>
struct MinOp {
  static T init() { return std::numeric_limits<T>::infinity(); }
  static T step(T a, T v) { return (v < a || v != v) ? v : a; }
};

/**
 * Walks the input in memory order; operand 0 is the output seen through the input's shape with
 * stride 0 on reduced dims. Rows whose output stride is 0 fold into one accumulator.
 */
template <typename T, typename Op>
void reduceLoop(Strided& s, T* out, const T* x, int64_t outSize) {
  for (int64_t i = 0; i < outSize; i++) out[i] = Op::init();
  forEachRow(
      s, std::numeric_limits<int64_t>::max(),
      [&](const int64_t* off, int64_t n, const int64_t* st) {
        T* o = out + off[0];
        const T* a = x + off[1];
        if (st[0] == 0) {
          if constexpr (std::is_same<Op, SumOp<T>>::value) {
            // sum in double for accuracy, vectorized
            double acc = 0;
            if (st[1] == 1) {
#pragma omp simd reduction(+ : acc)
              for (int64_t i = 0; i < n; i++) acc += a[i];
            } else {
              for (int64_t i = 0; i < n; i++) acc += a[i * st[1]];
            }
            *o = T(*o + acc);
          } else {
            T acc = *o;
            for (int64_t i = 0; i < n; i++) acc = Op::step(acc, a[i * st[1]]);
            *o = acc;
          }
        } else if (st[0] == 1 && st[1] == 1) {
#pragma omp simd
          for (int64_t i = 0; i < n; i++) o[i] = Op::step(o[i], a[i]);
        } else {
          for (int64_t i = 0; i < n; i++) o[i * st[0]] = Op::step(o[i * st[0]], a[i * st[1]]);
        }
      },
      false);
}

template <typename T>
bool reduceTyped(int op, Strided& s, void* out, const void* in, int64_t outSize) {
  T* o = static_cast<T*>(out);
  const T* x = static_cast<const T*>(in);
  switch (op) {
    case R_SUM: reduceLoop<T, SumOp<T>>(s, o, x, outSize); return true;
    case R_AMAX: reduceLoop<T, MaxOp<T>>(s, o, x, outSize); return true;
    case R_AMIN: reduceLoop<T, MinOp<T>>(s, o, x, outSize); return true;
    case R_PROD: reduceLoop<T, ProdOp<T>>(s, o, x, outSize); return true;
  }
  return false;
}

/** Lanes along one dim: meta = [nd, shape, xOffset, xStrides, outOffset, outStrides, dim]. */
struct Lanes {
  Strided outer;  // operands: x, out over the non-lane dims
  int64_t len, xs, os;
};

void readLanes(Lanes& l) {
  Strided s;
  int at = readStrided(s, 2);
  int dim = g_meta[at];
  l.len = s.shape[dim];
  l.xs = s.strides[0][dim];
  l.os = s.strides[1][dim];
  l.outer = s;
  l.outer.shape[dim] = 1;  // iterate every lane start once
}

template <typename T, typename F>
void forEachLane(Lanes& l, F f) {
  int64_t perLane = std::max<int64_t>(1, l.len);
  forEachRow(
      l.outer, (1 << 15) / perLane + 1,
      [&](const int64_t* off, int64_t n, const int64_t* st) {
        for (int64_t i = 0; i < n; i++) f(off[0] + i * st[0], off[1] + i * st[1]);
      },
      true);
}

template <typename T>
void argTyped(bool isMax, Lanes& l, int32_t* out, const T* x) {
  // out here is written at the lane's output position (out view has the lane dim of size 1)
  forEachLane<T>(l, [&](int64_t xb, int64_t ob) {
    T best = x[xb];
    int32_t bi = 0;
    for (int64_t k = 1; k < l.len; k++) {
      T v = x[xb + k * l.xs];
      if (best == best && ((isMax ? v > best : v < best) || v != v)) {
        best = v;
        bi = static_cast<int32_t>(k);
      }
    }
    out[ob] = bi;
  });
}

/** argmax/argmin of a dense [outer, len, inner] block along len: rows compared whole, so loops vectorize. */
template <typename T>
void argDenseTyped(bool isMax, int32_t* out, const T* x, int64_t outer, int64_t len, int64_t inner) {
  parallelFor(outer, std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(1, len * inner)), [&](int64_t b, int64_t e) {
    std::vector<T> best(inner);
    for (int64_t o = b; o < e; o++) {
      const T* base = x + o * len * inner;
      int32_t* idx = out + o * inner;
      for (int64_t i = 0; i < inner; i++) best[i] = base[i], idx[i] = 0;
      for (int64_t k = 1; k < len; k++) {
        const T* row = base + k * inner;
        for (int64_t i = 0; i < inner; i++) {
          const T v = row[i], bv = best[i];
          // NaN wins and stays, as in the js kernel
          if (bv == bv && ((isMax ? v > bv : v < bv) || v != v)) {
            best[i] = v;
            idx[i] = static_cast<int32_t>(k);
          }
        }
      }
    }
  });
}

template <typename T>
void logSoftmaxTyped(Lanes& l, T* out, const T* x) {
  forEachLane<T>(l, [&](int64_t xb, int64_t ob) {
    const int64_t n = l.len, xs = l.xs, os = l.os;
    T m = -std::numeric_limits<T>::infinity();
    for (int64_t k = 0; k < n; k++) m = std::max(m, x[xb + k * xs]);
    if (m == -std::numeric_limits<T>::infinity()) m = 0;
    double sum = 0;
    for (int64_t k = 0; k < n; k++) sum += std::exp(double(x[xb + k * xs] - m));
    const T lse = T(double(m) + std::log(sum));
    for (int64_t k = 0; k < n; k++) out[ob + k * os] = x[xb + k * xs] - lse;
  });
}

/** Lanes of g, y and out along one dim: meta = [nd, shape, (offset, strides) x 3 (g, y, out), dim]. */
struct GradLanes {
  Strided outer;  // operands g, y, out over the non-lane dims
  int64_t len, gs, ys, os;
};

void readGradLanes(GradLanes& l) {
  Strided s;
  int at = readStrided(s, 3);
  int dim = g_meta[at];
  l.len = s.shape[dim];
  l.gs = s.strides[0][dim];
  l.ys = s.strides[1][dim];
  l.os = s.strides[2][dim];
  l.outer = s;
  l.outer.shape[dim] = 1;
}

/** out = g - exp(y) * sum(g) per lane; the lane sum is taken in double. */
template <typename T>
void logSoftmaxGradTyped(GradLanes& l, T* out, const T* g, const T* y) {
  const int64_t n = l.len, gs = l.gs, ys = l.ys, os = l.os;
  auto lane = [&](int64_t gb, int64_t yb, int64_t ob) {
    const T* gp = g + gb;
    const T* yp = y + yb;
    T* op = out + ob;
    double sum = 0;
    if (gs == 1 && ys == 1 && os == 1) {
#pragma omp simd reduction(+ : sum)
      for (int64_t k = 0; k < n; k++) sum += gp[k];
      const T st = T(sum);
      for (int64_t k = 0; k < n; k++) op[k] = gp[k] - std::exp(yp[k]) * st;
    } else {
      for (int64_t k = 0; k < n; k++) sum += gp[k * gs];
      const T st = T(sum);
      for (int64_t k = 0; k < n; k++) op[k * os] = gp[k * gs] - std::exp(yp[k * ys]) * st;
    }
  };
  forEachRow(
      l.outer, (1 << 15) / std::max<int64_t>(1, n) + 1,
      [&](const int64_t* off, int64_t cnt, const int64_t* st) {
        for (int64_t i = 0; i < cnt; i++) lane(off[0] + i * st[0], off[1] + i * st[1], off[2] + i * st[2]);
      },
      true);
}

}  // namespace

// reduce(op, dtype, out, x, outSize): meta = [nd, inShape, outOffset, outStridesOverInput, xOffset, xStrides]
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  int op = intArg(info, 0), dt = intArg(info, 1);
  Strided s;
  readStrided(s, 2);
  void* out = dataOf(info, 2);
  const void* x = dataOf(info, 3);
  int64_t outSize = static_cast<int64_t>(numArg(info, 4));
  // the output starts at its offset; reduceLoop initializes [offset, offset + outSize)
  const int64_t base = s.offset[0];
  s.offset[0] = 0;
  bool ok = false;
  if (dt == F32) ok = reduceTyped<float>(op, s, static_cast<float*>(out) + base, x, outSize);
  else if (dt == F64) ok = reduceTyped<double>(op, s, static_cast<double*>(out) + base, x, outSize);
  return Napi::Boolean::New(info.Env(), ok);
}

// argReduce(isMax, dtype, out, x): lanes meta, out is int32 with the lane dim kept (size 1 there)
Napi::Value ArgReduce(const Napi::CallbackInfo& info) {
  bool isMax = intArg(info, 0) != 0;
  int dt = intArg(info, 1);
  Lanes l;
  readLanes(l);
  int32_t* out = static_cast<int32_t*>(dataOf(info, 2));
  const void* x = dataOf(info, 3);
  if (dt == F32) argTyped<float>(isMax, l, out, static_cast<const float*>(x));
  else if (dt == F64) argTyped<double>(isMax, l, out, static_cast<const double*>(x));
  else return Napi::Boolean::New(info.Env(), false);
  return Napi::Boolean::New(info.Env(), true);
}

// argReduceDense(isMax, dtype, out, x, outer, len, inner): x dense from its data start, out dense
Napi::Value ArgReduceDense(const Napi::CallbackInfo& info) {
  bool isMax = intArg(info, 0) != 0;
  int dt = intArg(info, 1);
  int32_t* out = static_cast<int32_t*>(dataOf(info, 2));
  const void* x = dataOf(info, 3);
  int64_t outer = static_cast<int64_t>(numArg(info, 4)), len = static_cast<int64_t>(numArg(info, 5)),
          inner = static_cast<int64_t>(numArg(info, 6));
  if (dt == F32) argDenseTyped<float>(isMax, out, static_cast<const float*>(x), outer, len, inner);
  else if (dt == F64) argDenseTyped<double>(isMax, out, static_cast<const double*>(x), outer, len, inner);
  else return Napi::Boolean::New(info.Env(), false);
  return Napi::Boolean::New(info.Env(), true);
}

// logSoftmax(dtype, out, x): lanes meta
Napi::Value LogSoftmax(const Napi::CallbackInfo& info) {
  int dt = intArg(info, 0);
  Lanes l;
  readLanes(l);
  void* out = dataOf(info, 1);
  const void* x = dataOf(info, 2);
  if (dt == F32) logSoftmaxTyped<float>(l, static_cast<float*>(out), static_cast<const float*>(x));
  else if (dt == F64) logSoftmaxTyped<double>(l, static_cast<double*>(out), static_cast<const double*>(x));
  else return Napi::Boolean::New(info.Env(), false);
  return Napi::Boolean::New(info.Env(), true);
}

// logSoftmaxGrad(dtype, out, g, y): grad-lanes meta
Napi::Value LogSoftmaxGrad(const Napi::CallbackInfo& info) {
  int dt = intArg(info, 0);
  GradLanes l;
  readGradLanes(l);
  void* out = dataOf(info, 1);
  const void* g = dataOf(info, 2);
  const void* y = dataOf(info, 3);
  if (dt == F32)
    logSoftmaxGradTyped<float>(l, static_cast<float*>(out), static_cast<const float*>(g), static_cast<const float*>(y));
  else if (dt == F64)
    logSoftmaxGradTyped<double>(l, static_cast<double*>(out), static_cast<const double*>(g),
                                static_cast<const double*>(y));
  else return Napi::Boolean::New(info.Env(), false);
  return Napi::Boolean::New(info.Env(), true);
}

}  // namespace gl
