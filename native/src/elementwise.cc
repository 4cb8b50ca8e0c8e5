// Elementwise kernels: unary math, binary arithmetic and comparisons, where, cast and strided copy.
#include <cmath>
#include <cstring>

#include "common.h"
#include "kernels.h"
#include "loops.h"
#include "scalar_ops.h"

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
bool unaryTyped(int op, Strided& s, void* out, const void* in) {
  T* o = static_cast<T*>(out);
  const T* x = static_cast<const T*>(in);
  return visitUnary<T>(op, [&](auto f, bool costly) {
    unaryLoop(s, o, x, costly ? kCostlyParallel : kCheapParallel, f);
  });
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
bool binaryTyped(int op, Strided& s, void* out, const void* pa, const void* pb) {
  const T* a = static_cast<const T*>(pa);
  const T* b = static_cast<const T*>(pb);
  if (visitArith<T>(op, [&](auto f, bool costly) {
        binaryLoop(s, static_cast<T*>(out), a, b, costly ? kCostlyParallel : kCheapParallel, f);
      }))
    return true;
  return visitCompare<T>(op, [&](auto f) {
    binaryLoop(s, static_cast<uint8_t*>(out), a, b, kCheapParallel, [f](T x, T y) { return uint8_t(f(x, y)); });
  });
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
