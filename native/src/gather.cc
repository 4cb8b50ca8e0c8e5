// Index kernels: gather along a dim and scatterAdd (the gather's adjoint), with bounds checks.
#include <atomic>
#include <cstring>

#include "common.h"
#include "kernels.h"
#include "loops.h"

namespace gl {
namespace {

/**
 * Operands over the index's shape: 0 = out (gather: destination; scatter: source values),
 * 1 = index, 2 = the indexed tensor with stride 0 on `dim`. Returns false on an out-of-range index.
 */
template <typename T>
bool gatherTyped(Strided& s, T* out, const int32_t* idx, const T* x, int64_t dimStride, int64_t dimSize) {
  std::atomic<bool> ok{true};
  forEachRow(s, 1 << 16, [&](const int64_t* off, int64_t n, const int64_t* st) {
    for (int64_t i = 0; i < n; i++) {
      const int64_t j = idx[off[1] + i * st[1]];
      if (j < 0 || j >= dimSize) {
        ok = false;
        continue;
      }
      out[off[0] + i * st[0]] = x[off[2] + i * st[2] + j * dimStride];
    }
  });
  return ok;
}

template <typename T>
bool scatterAddTyped(Strided& s, const T* src, const int32_t* idx, T* out, int64_t dimStride, int64_t dimSize) {
  bool ok = true;
  // serial: several index entries may hit the same output element
  forEachRow(
      s, INT64_MAX,
      [&](const int64_t* off, int64_t n, const int64_t* st) {
        for (int64_t i = 0; i < n; i++) {
          const int64_t j = idx[off[1] + i * st[1]];
          if (j < 0 || j >= dimSize) {
            ok = false;
            continue;
          }
          out[off[2] + i * st[2] + j * dimStride] += src[off[0] + i * st[0]];
        }
      },
      false);
  return ok;
}

}  // namespace

// gather(dtype, out, index, x): meta = [nd, indexShape, 3 x (offset, strides), dimStride, dimSize]
Napi::Value Gather(const Napi::CallbackInfo& info) {
  int dt = intArg(info, 0);
  Strided s;
  int at = readStrided(s, 3);
  int64_t dimStride = g_meta[at], dimSize = g_meta[at + 1];
  void* out = dataOf(info, 1);
  const int32_t* idx = static_cast<const int32_t*>(dataOf(info, 2));
  const void* x = dataOf(info, 3);
  bool ok;
  switch (dt) {
    case F32: ok = gatherTyped(s, static_cast<float*>(out), idx, static_cast<const float*>(x), dimStride, dimSize); break;
    case F64: ok = gatherTyped(s, static_cast<double*>(out), idx, static_cast<const double*>(x), dimStride, dimSize); break;
    case I32: ok = gatherTyped(s, static_cast<int32_t*>(out), idx, static_cast<const int32_t*>(x), dimStride, dimSize); break;
    case BOOL: ok = gatherTyped(s, static_cast<uint8_t*>(out), idx, static_cast<const uint8_t*>(x), dimStride, dimSize); break;
    default: ok = false;
  }
  return Napi::Boolean::New(info.Env(), ok);
}

// scatterAdd(dtype, src, index, out): out already holds the base values; same meta as gather
Napi::Value ScatterAdd(const Napi::CallbackInfo& info) {
  int dt = intArg(info, 0);
  Strided s;
  int at = readStrided(s, 3);
  int64_t dimStride = g_meta[at], dimSize = g_meta[at + 1];
  const void* src = dataOf(info, 1);
  const int32_t* idx = static_cast<const int32_t*>(dataOf(info, 2));
  void* out = dataOf(info, 3);
  bool ok;
  switch (dt) {
    case F32: ok = scatterAddTyped(s, static_cast<const float*>(src), idx, static_cast<float*>(out), dimStride, dimSize); break;
    case F64: ok = scatterAddTyped(s, static_cast<const double*>(src), idx, static_cast<double*>(out), dimStride, dimSize); break;
    case I32: ok = scatterAddTyped(s, static_cast<const int32_t*>(src), idx, static_cast<int32_t*>(out), dimStride, dimSize); break;
    default: ok = false;
  }
  return Napi::Boolean::New(info.Env(), ok);
}

}  // namespace gl
