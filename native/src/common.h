// Shared definitions of the native backend: dtype codes, strided-view metadata and the N-API glue helpers.
#pragma once
#include <napi.h>
#include <cstdint>
#include <cstddef>

namespace gl {

/** Element types, numbered as in src/backends/native/codes.ts. */
enum DType : int32_t { F32 = 0, F64 = 1, I32 = 2, BOOL = 3 };

constexpr int kMaxDims = 16;
constexpr int kMaxOperands = 4;

/**
 * The metadata block JS writes before each call (a shared Int32Array, see meta.ts). Layout of an
 * n-d strided operation: [nd, shape[nd], then per operand: offset, strides[nd]].
 */
extern int32_t* g_meta;
extern double* g_scalars;

/** Raw data pointer of a typed-array argument (already shifted by its byteOffset). */
inline void* dataOf(const Napi::CallbackInfo& info, size_t i) {
  napi_value v = info[i];
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value buffer;
  size_t byteOffset;
  napi_get_typedarray_info(info.Env(), v, &type, &length, &data, &buffer, &byteOffset);
  return data;
}

inline int32_t intArg(const Napi::CallbackInfo& info, size_t i) {
  int32_t v = 0;
  napi_get_value_int32(info.Env(), info[i], &v);
  return v;
}

inline double numArg(const Napi::CallbackInfo& info, size_t i) {
  double v = 0;
  napi_get_value_double(info.Env(), info[i], &v);
  return v;
}

/**
 * Runs run(T{}) with T = float or double as argument 0 (the dtype code) says; returns true to JS, or
 * false for other dtypes (the JS kernel then runs). For entry points whose kernels are float-only.
 */
template <typename Run>
Napi::Value byFloatType(const Napi::CallbackInfo& info, Run run) {
  const int32_t dt = intArg(info, 0);
  if (dt == F32)
    run(float{});
  else if (dt == F64)
    run(double{});
  else
    return Napi::Boolean::New(info.Env(), false);
  return Napi::Boolean::New(info.Env(), true);
}

/** An n-d iteration space over several strided operands, with adjacent dims merged where all allow. */
struct Strided {
  int nd = 0;
  int nops = 0;
  int64_t shape[kMaxDims];
  int64_t offset[kMaxOperands];
  int64_t strides[kMaxOperands][kMaxDims];
  int64_t numel() const {
    int64_t n = 1;
    for (int d = 0; d < nd; d++) n *= shape[d];
    return n;
  }
};

/** Reads [nd, shape, (offset, strides) x nops] from the meta block starting at `at`; returns the next index. */
int readStrided(Strided& s, int nops, int at = 0);

/** Drops size-1 dims and merges dims that are contiguous in every operand. */
void coalesce(Strided& s);

}  // namespace gl
