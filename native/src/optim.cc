// Fused optimizer updates (SGD, Adam/AdamW): one pass over each parameter, with the exact rounding of the
// unfused op sequence in src/optim/kernels.ts (every scalar arrives rounded by JS; no FMA contraction).
#include <cmath>

#include "common.h"
#include "kernels.h"
#include "threads.h"

namespace gl {
namespace {

constexpr int64_t kGrain = 1 << 15;

// scalars: [weightDecay, momentum, 1 - dampening, -lr]; flags: maximize, nesterov, hasBuffer
template <typename T>
void sgdTyped(T* p, const T* g, T* buf, int64_t n, bool maximize, bool nesterov) {
  const T wd = T(g_scalars[0]), mom = T(g_scalars[1]), damp1 = T(g_scalars[2]), negLr = T(g_scalars[3]);
  const bool useWd = g_scalars[0] != 0;
  parallelFor(n, kGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) {
      T d = maximize ? -g[i] : g[i];
      if (useWd) d = d + T(p[i] * wd);
      if (buf) {
        T nb = T(buf[i] * mom) + T(d * damp1);
        buf[i] = nb;
        d = nesterov ? T(d + T(nb * mom)) : nb;
      }
      p[i] = p[i] + T(d * negLr);
    }
  });
}

// scalars: [decay (AdamW: 1 - lr*wd, else 1), weightDecay (Adam's L2, else 0), b1, 1 - b1, b2, 1 - b2,
//           sqrt(1 - b2^t), eps, -lr / (1 - b1^t)]
template <typename T>
void adamTyped(T* p, const T* g, T* m, T* v, int64_t n, bool maximize) {
  const double* s = g_scalars;
  const bool decoupled = s[0] != 1, useWd = s[1] != 0;
  const T decay = T(s[0]), wd = T(s[1]), b1 = T(s[2]), a1 = T(s[3]), b2 = T(s[4]), a2 = T(s[5]), bc = T(s[6]),
          eps = T(s[7]), negStep = T(s[8]);
  parallelFor(n, kGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) {
      T pi = p[i];
      if (decoupled) pi = T(pi * decay);
      T d = maximize ? -g[i] : g[i];
      if (useWd) d = d + T(pi * wd);
      const T mi = T(m[i] * b1) + T(d * a1);
      const T vi = T(v[i] * b2) + T(T(d * d) * a2);
      m[i] = mi;
      v[i] = vi;
      const T denom = T(std::sqrt(vi) / bc) + eps;
      p[i] = pi + T(T(mi / denom) * negStep);
    }
  });
}

}  // namespace

// sgd(dtype, n, p, g, buf | null, maximize, nesterov)
Napi::Value SgdStep(const Napi::CallbackInfo& info) {
  int dt = intArg(info, 0);
  int64_t n = static_cast<int64_t>(numArg(info, 1));
  bool hasBuf = !info[4].IsNull();
  bool maximize = intArg(info, 5) != 0, nesterov = intArg(info, 6) != 0;
  if (dt == F32)
    sgdTyped(static_cast<float*>(dataOf(info, 2)), static_cast<const float*>(dataOf(info, 3)),
             hasBuf ? static_cast<float*>(dataOf(info, 4)) : nullptr, n, maximize, nesterov);
  else if (dt == F64)
    sgdTyped(static_cast<double*>(dataOf(info, 2)), static_cast<const double*>(dataOf(info, 3)),
             hasBuf ? static_cast<double*>(dataOf(info, 4)) : nullptr, n, maximize, nesterov);
  else
    return Napi::Boolean::New(info.Env(), false);
  return Napi::Boolean::New(info.Env(), true);
}

// adam(dtype, n, p, g, m, v, maximize)
Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  int dt = intArg(info, 0);
  int64_t n = static_cast<int64_t>(numArg(info, 1));
  bool maximize = intArg(info, 6) != 0;
  if (dt == F32)
    adamTyped(static_cast<float*>(dataOf(info, 2)), static_cast<const float*>(dataOf(info, 3)),
              static_cast<float*>(dataOf(info, 4)), static_cast<float*>(dataOf(info, 5)), n, maximize);
  else if (dt == F64)
    adamTyped(static_cast<double*>(dataOf(info, 2)), static_cast<const double*>(dataOf(info, 3)),
              static_cast<double*>(dataOf(info, 4)), static_cast<double*>(dataOf(info, 5)), n, maximize);
  else
    return Napi::Boolean::New(info.Env(), false);
  return Napi::Boolean::New(info.Env(), true);
}

}  // namespace gl
