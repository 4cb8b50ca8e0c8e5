// Batched matrix multiply through CBLAS (sgemm/dgemm), reading transposed views without copies.
#include <cstdlib>
#include <cstring>
#include <vector>

#include "blas.h"
#include "common.h"
#include "kernels.h"
#include "scalar_ops.h"
#include "threads.h"

#ifndef GRADLAB_ACCELERATE
extern "C" __attribute__((weak)) void openblas_set_num_threads(int);
#endif

namespace gl {

namespace {
bool g_gemmSplit = false;
int64_t g_splitMaxMacs = int64_t(1) << 27;
}  // namespace

bool gemmSplit() { return g_gemmSplit; }
int64_t splitMaxMacs() { return g_splitMaxMacs; }

void setBlasThreads(int n) {
#ifndef GRADLAB_ACCELERATE
  if (g_gemmSplit) openblas_set_num_threads(n);
#endif
}

void initGemmThreads() {
#ifndef GRADLAB_ACCELERATE
  const char* env = std::getenv("GRADLAB_GEMM_SPLIT");
  if (env && env[0] == '0') return;
  if (openblas_set_num_threads == nullptr || threadCount() < 2) return;
  if (const char* max = std::getenv("GRADLAB_GEMM_SPLIT_MAX_MACS")) g_splitMaxMacs = std::atoll(max);
  openblas_set_num_threads(1);
  g_gemmSplit = true;
#endif
}

namespace {

/** How BLAS can read a rows x cols matrix with the given strides, or `copy` when it cannot. */
struct Layout {
  bool trans;
  bool copy;
  int64_t ld;
};

Layout layoutOf(int64_t rows, int64_t cols, int64_t rs, int64_t cs) {
  // row-major: unit column stride, leading dimension = row stride (at least cols)
  if ((cs == 1 || cols == 1) && (rs >= std::max<int64_t>(1, cols) || rows == 1))
    return {false, false, rows == 1 ? std::max<int64_t>(1, cols) : rs};
  // column-major storage of the same matrix = row-major of its transpose
  if ((rs == 1 || rows == 1) && (cs >= std::max<int64_t>(1, rows) || cols == 1))
    return {true, false, cols == 1 ? std::max<int64_t>(1, rows) : cs};
  return {false, true, std::max<int64_t>(1, cols)};
}

template <typename T>
const T* packed(const T* src, int64_t rows, int64_t cols, int64_t rs, int64_t cs, std::vector<T>& buf) {
  buf.resize(rows * cols);
  for (int64_t i = 0; i < rows; i++)
    for (int64_t j = 0; j < cols; j++) buf[i * cols + j] = src[i * rs + j * cs];
  return buf.data();
}

template <typename T>
void matmulTyped(T* out, const T* a, const T* b, int r, const int64_t* shape, int64_t aOff, const int64_t* as,
                 int64_t bOff, const int64_t* bs, int64_t k) {
  const int nb = r - 2;
  const int64_t m = shape[r - 2], n = shape[r - 1];
  int64_t batches = 1;
  for (int d = 0; d < nb; d++) batches *= shape[d];
  if (batches == 0 || m == 0 || n == 0) return;
  if (k == 0) {
    std::memset(out, 0, sizeof(T) * batches * m * n);
    return;
  }
  Layout la = layoutOf(m, k, as[r - 2], as[r - 1]);
  Layout lb = layoutOf(k, n, bs[r - 2], bs[r - 1]);
  std::vector<T> abuf, bbuf;

  // x[..., m, k] @ w[k, n] with w shared by every batch and x's batches stacked: one tall GEMM
  bool bShared = true, aStacked = !la.trans && !la.copy;
  int64_t expect = m * as[r - 2];
  for (int d = nb - 1; d >= 0; d--) {
    if (bs[d] != 0 && shape[d] != 1) bShared = false;
    if (shape[d] != 1 && as[d] != expect) aStacked = false;
    expect *= shape[d];
  }
  if (nb > 0 && batches > 1 && bShared && aStacked && m > 1 && as[r - 2] == la.ld) {
    const T* B = lb.copy ? packed(b + bOff, k, n, bs[r - 2], bs[r - 1], bbuf) : b + bOff;
    gemm<T>(false, lb.trans, batches * m, n, k, a + aOff, la.ld, B, lb.ld, out, n);
    return;
  }

  int64_t idx[kMaxDims] = {0};
  int64_t ao = aOff, bo = bOff;
  for (int64_t t = 0; t < batches; t++) {
    const T* A = la.copy ? packed(a + ao, m, k, as[r - 2], as[r - 1], abuf) : a + ao;
    const T* B = lb.copy ? packed(b + bo, k, n, bs[r - 2], bs[r - 1], bbuf) : b + bo;
    gemm<T>(la.trans, lb.trans, m, n, k, A, la.ld, B, lb.ld, out + t * m * n, n);
    for (int d = nb - 1; d >= 0; d--) {
      ao += as[d];
      bo += bs[d];
      if (++idx[d] < shape[d]) break;
      ao -= as[d] * shape[d];
      bo -= bs[d] * shape[d];
      idx[d] = 0;
    }
  }
}

}  // namespace

// matmul(dtype, out, a, b, outOffset): meta = [r, outShape, aOffset, aStrides, bOffset, bStrides, k]
Napi::Value Matmul(const Napi::CallbackInfo& info) {
  int dt = intArg(info, 0);
  Strided s;  // operands a, b over the output's shape (last two dims are each matrix's own strides)
  int at = readStrided(s, 2);
  int64_t k = g_meta[at];
  int64_t outOff = intArg(info, 4);
  if (dt == F32)
    matmulTyped(static_cast<float*>(dataOf(info, 1)) + outOff, static_cast<const float*>(dataOf(info, 2)),
                static_cast<const float*>(dataOf(info, 3)), s.nd, s.shape, s.offset[0], s.strides[0], s.offset[1],
                s.strides[1], k);
  else if (dt == F64)
    matmulTyped(static_cast<double*>(dataOf(info, 1)) + outOff, static_cast<const double*>(dataOf(info, 2)),
                static_cast<const double*>(dataOf(info, 3)), s.nd, s.shape, s.offset[0], s.strides[0], s.offset[1],
                s.strides[1], k);
  else
    return Napi::Boolean::New(info.Env(), false);
  return Napi::Boolean::New(info.Env(), true);
}

namespace {

/** out[i, j] = act(out[i, j] + bias[j]) over rows x n, rows split over the pool; act < 0: none. */
template <typename T>
void biasActivation(T* out, int64_t rows, int64_t n, const T* bias, int64_t bstride, int act) {
  auto apply = [&](auto f) {
    parallelFor(rows, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, n)), [&](int64_t r0, int64_t r1) {
      for (int64_t i = r0; i < r1; i++) {
        T* row = out + i * n;
        for (int64_t j = 0; j < n; j++) row[j] = f(T(row[j] + bias[j * bstride]));
      }
    });
  };
  if (act < 0 || !visitUnary<T>(act, [&](auto f, bool) { apply(f); })) apply([](T v) { return v; });
}

}  // namespace

// matmulEpilogue(dtype, out, a, b, outOffset, bias, biasOffset, biasStride, act): matmul's meta, then
// act(out + bias) over the output's rows in the same call (act: a UnaryCode, or -1 for none)
Napi::Value MatmulEpilogue(const Napi::CallbackInfo& info) {
  int dt = intArg(info, 0);
  Strided s;
  int at = readStrided(s, 2);
  int64_t k = g_meta[at];
  int64_t outOff = intArg(info, 4);
  int64_t biasOff = intArg(info, 6), biasStride = intArg(info, 7);
  int act = intArg(info, 8);
  int64_t n = s.shape[s.nd - 1], rows = 1;
  for (int d = 0; d < s.nd - 1; d++) rows *= s.shape[d];
  if (dt == F32) {
    float* out = static_cast<float*>(dataOf(info, 1)) + outOff;
    matmulTyped(out, static_cast<const float*>(dataOf(info, 2)), static_cast<const float*>(dataOf(info, 3)), s.nd,
                s.shape, s.offset[0], s.strides[0], s.offset[1], s.strides[1], k);
    biasActivation(out, rows, n, static_cast<const float*>(dataOf(info, 5)) + biasOff, biasStride, act);
  } else if (dt == F64) {
    double* out = static_cast<double*>(dataOf(info, 1)) + outOff;
    matmulTyped(out, static_cast<const double*>(dataOf(info, 2)), static_cast<const double*>(dataOf(info, 3)),
                s.nd, s.shape, s.offset[0], s.strides[0], s.offset[1], s.strides[1], k);
    biasActivation(out, rows, n, static_cast<const double*>(dataOf(info, 5)) + biasOff, biasStride, act);
  } else
    return Napi::Boolean::New(info.Env(), false);
  return Napi::Boolean::New(info.Env(), true);
}

}  // namespace gl
