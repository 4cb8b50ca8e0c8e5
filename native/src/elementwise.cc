// Elementwise kernels: unary math, binary arithmetic and comparisons, where, cast and strided copy.
#include <cmath>
#include <cstring>

#include "common.h"
#include "kernels.h"
#include "loops.h"

namespace gl {
namespace {

// Elements per call above which cheap (arithmetic) and costly (transcendental) loops use all threads.
constexpr int64_t kCheapParallel = 1 << 17;
constexpr int64_t kCostlyParallel = 1 << 14;

template <typename T, typename F>
void unaryLoop(Strided& s, T* out, const T* x, int64_t par, F f) {
  forEachRow(s, par, [&](const int64_t* off, int64_t n, const int64_t* st) {
    T* o = out + off[0];
    const T* a = x + off[1];
    if (st[0] == 1 && st[1] == 1) {
#pragma omp simd
      for (int64_t i = 0; i < n; i++) o[i] = f(a[i]);
    } else {
      for (int64_t i = 0; i < n; i++) o[i * st[0]] = f(a[i * st[1]]);
    }
  });
}

template <typename T>
T signOf(T x) {
  return x > 0 ? T(1) : x < 0 ? T(-1) : x;  // keeps 0, -0 and NaN as they are
}

template <typename T>
T sigmoidOf(T x) {
  if (x >= 0) return T(1) / (T(1) + std::exp(-x));
  T e = std::exp(x);
  return e / (T(1) + e);
}

template <typename T>
bool unaryTyped(int op, Strided& s, void* out, const void* in) {
  T* o = static_cast<T*>(out);
  const T* x = static_cast<const T*>(in);
  switch (op) {
    case U_NEG: unaryLoop(s, o, x, kCheapParallel, [](T v) { return -v; }); return true;
    case U_EXP: unaryLoop(s, o, x, kCostlyParallel, [](T v) { return std::exp(v); }); return true;
    case U_LOG: unaryLoop(s, o, x, kCostlyParallel, [](T v) { return std::log(v); }); return true;
    case U_LOG1P: unaryLoop(s, o, x, kCostlyParallel, [](T v) { return std::log1p(v); }); return true;
    case U_EXPM1: unaryLoop(s, o, x, kCostlyParallel, [](T v) { return std::expm1(v); }); return true;
    case U_SIN: unaryLoop(s, o, x, kCostlyParallel, [](T v) { return std::sin(v); }); return true;
    case U_COS: unaryLoop(s, o, x, kCostlyParallel, [](T v) { return std::cos(v); }); return true;
    case U_TANH: unaryLoop(s, o, x, kCostlyParallel, [](T v) { return std::tanh(v); }); return true;
    case U_SQRT: unaryLoop(s, o, x, kCheapParallel, [](T v) { return std::sqrt(v); }); return true;
    case U_ABS: unaryLoop(s, o, x, kCheapParallel, [](T v) { return std::fabs(v); }); return true;
    case U_SIGN: unaryLoop(s, o, x, kCheapParallel, [](T v) { return signOf(v); }); return true;
    case U_SIGMOID: unaryLoop(s, o, x, kCostlyParallel, [](T v) { return sigmoidOf(v); }); return true;
    case U_RELU: unaryLoop(s, o, x, kCheapParallel, [](T v) { return v > 0 ? v : (v == v ? T(0) : v); }); return true;
    case U_ERF: unaryLoop(s, o, x, kCostlyParallel, [](T v) { return std::erf(v); }); return true;
  }
  return false;
}

template <typename T, typename O, typename F>
void binaryLoop(Strided& s, O* out, const T* a, const T* b, int64_t par, F f) {
  forEachRow(s, par, [&](const int64_t* off, int64_t n, const int64_t* st) {
    O* o = out + off[0];
    const T* x = a + off[1];
    const T* y = b + off[2];
    if (st[0] == 1 && st[1] == 1 && st[2] == 1) {
#pragma omp simd
      for (int64_t i = 0; i < n; i++) o[i] = f(x[i], y[i]);
    } else if (st[0] == 1 && st[1] == 1 && st[2] == 0) {
      const T yv = *y;
#pragma omp simd
      for (int64_t i = 0; i < n; i++) o[i] = f(x[i], yv);
    } else if (st[0] == 1 && st[1] == 0 && st[2] == 1) {
      const T xv = *x;
#pragma omp simd
      for (int64_t i = 0; i < n; i++) o[i] = f(xv, y[i]);
    } else {
      for (int64_t i = 0; i < n; i++) o[i * st[0]] = f(x[i * st[1]], y[i * st[2]]);
    }
  });
}

template <typename T>
T maxNan(T x, T y) {
  return (x != x || y != y) ? T(NAN) : (x > y ? x : y);
}
template <typename T>
T minNan(T x, T y) {
  return (x != x || y != y) ? T(NAN) : (x < y ? x : y);
}

template <typename T>
bool binaryTyped(int op, Strided& s, void* out, const void* pa, const void* pb) {
  T* o = static_cast<T*>(out);
  uint8_t* ob = static_cast<uint8_t*>(out);
  const T* a = static_cast<const T*>(pa);
  const T* b = static_cast<const T*>(pb);
  constexpr int64_t P = kCheapParallel;
  switch (op) {
    case B_ADD: binaryLoop(s, o, a, b, P, [](T x, T y) { return x + y; }); return true;
    case B_SUB: binaryLoop(s, o, a, b, P, [](T x, T y) { return x - y; }); return true;
    case B_MUL: binaryLoop(s, o, a, b, P, [](T x, T y) { return x * y; }); return true;
    case B_DIV: binaryLoop(s, o, a, b, P, [](T x, T y) { return x / y; }); return true;
    case B_POW: binaryLoop(s, o, a, b, kCostlyParallel, [](T x, T y) { return std::pow(x, y); }); return true;
    case B_MAXIMUM: binaryLoop(s, o, a, b, P, [](T x, T y) { return maxNan(x, y); }); return true;
    case B_MINIMUM: binaryLoop(s, o, a, b, P, [](T x, T y) { return minNan(x, y); }); return true;
    case B_EQ: binaryLoop(s, ob, a, b, P, [](T x, T y) { return uint8_t(x == y); }); return true;
    case B_NE: binaryLoop(s, ob, a, b, P, [](T x, T y) { return uint8_t(x != y); }); return true;
    case B_LT: binaryLoop(s, ob, a, b, P, [](T x, T y) { return uint8_t(x < y); }); return true;
    case B_LE: binaryLoop(s, ob, a, b, P, [](T x, T y) { return uint8_t(x <= y); }); return true;
    case B_GT: binaryLoop(s, ob, a, b, P, [](T x, T y) { return uint8_t(x > y); }); return true;
    case B_GE: binaryLoop(s, ob, a, b, P, [](T x, T y) { return uint8_t(x >= y); }); return true;
  }
  return false;
}

template <typename T>
void whereTyped(Strided& s, T* out, const uint8_t* c, const T* a, const T* b) {
  forEachRow(s, kCheapParallel, [&](const int64_t* off, int64_t n, const int64_t* st) {
    T* o = out + off[0];
    const uint8_t* cc = c + off[1];
    const T* x = a + off[2];
    const T* y = b + off[3];
    if (st[0] == 1 && st[1] == 1 && st[2] == 1 && (st[3] == 1 || st[3] == 0)) {
      // dense rows (b dense or one broadcast value, as relu's backward has): branch-free and vectorized
      if (st[3] == 0) {
        const T yv = *y;
#pragma omp simd
        for (int64_t i = 0; i < n; i++) o[i] = cc[i] ? x[i] : yv;
      } else {
#pragma omp simd
        for (int64_t i = 0; i < n; i++) o[i] = cc[i] ? x[i] : y[i];
      }
      return;
    }
    for (int64_t i = 0; i < n; i++) o[i * st[0]] = cc[i * st[1]] ? x[i * st[2]] : y[i * st[3]];
  });
}

template <typename From, typename To>
void castLoop(Strided& s, void* out, const void* in) {
  To* o = static_cast<To*>(out);
  const From* x = static_cast<const From*>(in);
  forEachRow(s, kCheapParallel, [&](const int64_t* off, int64_t n, const int64_t* st) {
    for (int64_t i = 0; i < n; i++) {
      From v = x[off[1] + i * st[1]];
      To r;
      if constexpr (std::is_same<To, uint8_t>::value) {
        r = v != 0 ? 1 : 0;  // NaN is truthy, as in JS
      } else if constexpr (std::is_same<To, int32_t>::value && std::is_floating_point<From>::value) {
        // JS ToInt32 of Math.trunc(v): NaN and infinities give 0, other values wrap modulo 2^32
        if (!std::isfinite(v)) r = 0;
        else r = static_cast<int32_t>(static_cast<uint32_t>(static_cast<int64_t>(std::fmod(std::trunc(double(v)), 4294967296.0))));
      } else {
        r = static_cast<To>(v);
      }
      o[off[0] + i * st[0]] = r;
    }
  });
}

template <typename From>
void castFrom(int to, Strided& s, void* out, const void* in) {
  switch (to) {
    case F32: castLoop<From, float>(s, out, in); break;
    case F64: castLoop<From, double>(s, out, in); break;
    case I32: castLoop<From, int32_t>(s, out, in); break;
    case BOOL: castLoop<From, uint8_t>(s, out, in); break;
  }
}

template <typename T>
void copyLoop(Strided& s, void* out, const void* in) {
  T* o = static_cast<T*>(out);
  const T* x = static_cast<const T*>(in);
  forEachRow(s, kCheapParallel, [&](const int64_t* off, int64_t n, const int64_t* st) {
    if (st[0] == 1 && st[1] == 1) {
      std::memcpy(o + off[0], x + off[1], n * sizeof(T));
    } else {
      for (int64_t i = 0; i < n; i++) o[off[0] + i * st[0]] = x[off[1] + i * st[1]];
    }
  });
}

}  // namespace

// unary(op, dtype, out, x)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  int op = intArg(info, 0), dt = intArg(info, 1);
  Strided s;
  readStrided(s, 2);
  void* out = dataOf(info, 2);
  const void* x = dataOf(info, 3);
  bool ok = dt == F32 ? unaryTyped<float>(op, s, out, x) : dt == F64 ? unaryTyped<double>(op, s, out, x) : false;
  return Napi::Boolean::New(info.Env(), ok);
}

// binary(op, dtype, out, a, b)
Napi::Value Binary(const Napi::CallbackInfo& info) {
  int op = intArg(info, 0), dt = intArg(info, 1);
  Strided s;
  readStrided(s, 3);
  void* out = dataOf(info, 2);
  const void* a = dataOf(info, 3);
  const void* b = dataOf(info, 4);
  bool ok = dt == F32 ? binaryTyped<float>(op, s, out, a, b) : dt == F64 ? binaryTyped<double>(op, s, out, a, b) : false;
  return Napi::Boolean::New(info.Env(), ok);
}

// where(dtype, out, cond, a, b)
Napi::Value Where(const Napi::CallbackInfo& info) {
  int dt = intArg(info, 0);
  Strided s;
  readStrided(s, 4);
  void* out = dataOf(info, 1);
  const uint8_t* c = static_cast<const uint8_t*>(dataOf(info, 2));
  const void* a = dataOf(info, 3);
  const void* b = dataOf(info, 4);
  switch (dt) {
    case F32: whereTyped(s, static_cast<float*>(out), c, static_cast<const float*>(a), static_cast<const float*>(b)); break;
    case F64: whereTyped(s, static_cast<double*>(out), c, static_cast<const double*>(a), static_cast<const double*>(b)); break;
    case I32: whereTyped(s, static_cast<int32_t*>(out), c, static_cast<const int32_t*>(a), static_cast<const int32_t*>(b)); break;
    case BOOL: whereTyped(s, static_cast<uint8_t*>(out), c, static_cast<const uint8_t*>(a), static_cast<const uint8_t*>(b)); break;
    default: return Napi::Boolean::New(info.Env(), false);
  }
  return Napi::Boolean::New(info.Env(), true);
}

// cast(from, to, out, x)
Napi::Value Cast(const Napi::CallbackInfo& info) {
  int from = intArg(info, 0), to = intArg(info, 1);
  Strided s;
  readStrided(s, 2);
  void* out = dataOf(info, 2);
  const void* x = dataOf(info, 3);
  switch (from) {
    case F32: castFrom<float>(to, s, out, x); break;
    case F64: castFrom<double>(to, s, out, x); break;
    case I32: castFrom<int32_t>(to, s, out, x); break;
    case BOOL: castFrom<uint8_t>(to, s, out, x); break;
    default: return Napi::Boolean::New(info.Env(), false);
  }
  return Napi::Boolean::New(info.Env(), true);
}

// copy(itemBytes, out, x): out may be any strided view
Napi::Value Copy(const Napi::CallbackInfo& info) {
  int bytes = intArg(info, 0);
  Strided s;
  readStrided(s, 2);
  void* out = dataOf(info, 1);
  const void* x = dataOf(info, 2);
  switch (bytes) {
    case 1: copyLoop<uint8_t>(s, out, x); break;
    case 4: copyLoop<uint32_t>(s, out, x); break;
    case 8: copyLoop<uint64_t>(s, out, x); break;
    default: return Napi::Boolean::New(info.Env(), false);
  }
  return Napi::Boolean::New(info.Env(), true);
}

}  // namespace gl
