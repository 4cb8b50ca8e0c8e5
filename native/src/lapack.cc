// Matrix factorizations through the platform's LAPACK (Fortran symbols: column-major, every argument by
// pointer, `info` checked): Cholesky, triangular and LU solves, log-determinant, QR, symmetric eigen, SVD.
#include "common.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

// Fortran LAPACK (OpenBLAS ships it; no LAPACKE). Character arguments carry gfortran's hidden lengths.
extern "C" {
void dpotrf_(const char*, const int*, double*, const int*, int*, size_t);
void spotrf_(const char*, const int*, float*, const int*, int*, size_t);
void dtrtrs_(const char*, const char*, const char*, const int*, const int*, const double*, const int*, double*,
             const int*, int*, size_t, size_t, size_t);
void strtrs_(const char*, const char*, const char*, const int*, const int*, const float*, const int*, float*,
             const int*, int*, size_t, size_t, size_t);
void dgetrs_(const char*, const int*, const int*, const double*, const int*, const int*, double*, const int*, int*,
             size_t);
void sgetrs_(const char*, const int*, const int*, const float*, const int*, const int*, float*, const int*, int*,
             size_t);
void dgetrf_(const int*, const int*, double*, const int*, int*, int*);
void sgetrf_(const int*, const int*, float*, const int*, int*, int*);
void dgeqrf_(const int*, const int*, double*, const int*, double*, double*, const int*, int*);
void sgeqrf_(const int*, const int*, float*, const int*, float*, float*, const int*, int*);
void dorgqr_(const int*, const int*, const int*, double*, const int*, const double*, double*, const int*, int*);
void sorgqr_(const int*, const int*, const int*, float*, const int*, const float*, float*, const int*, int*);
void dsyevd_(const char*, const char*, const int*, double*, const int*, double*, double*, const int*, int*,
             const int*, int*, size_t, size_t);
void ssyevd_(const char*, const char*, const int*, float*, const int*, float*, float*, const int*, int*, const int*,
             int*, size_t, size_t);
void dgesdd_(const char*, const int*, const int*, double*, const int*, double*, double*, const int*, double*,
             const int*, double*, const int*, int*, int*, size_t);
void sgesdd_(const char*, const int*, const int*, float*, const int*, float*, float*, const int*, float*,
             const int*, float*, const int*, int*, int*, size_t);
}

namespace gl {
namespace {

// float / double overloads of the routines used
inline void potrf(const char* u, const int* n, double* a, const int* l, int* i) { dpotrf_(u, n, a, l, i, 1); }
inline void potrf(const char* u, const int* n, float* a, const int* l, int* i) { spotrf_(u, n, a, l, i, 1); }
inline void trtrs(const char* u, const char* t, const char* d, const int* n, const int* k, const double* a,
                  const int* la, double* b, const int* lb, int* i) {
  dtrtrs_(u, t, d, n, k, a, la, b, lb, i, 1, 1, 1);
}
inline void trtrs(const char* u, const char* t, const char* d, const int* n, const int* k, const float* a,
                  const int* la, float* b, const int* lb, int* i) {
  strtrs_(u, t, d, n, k, a, la, b, lb, i, 1, 1, 1);
}
inline void getrsT(const int* n, const int* k, const double* a, const int* la, const int* p, double* b,
                   const int* lb, int* i) {
  dgetrs_("T", n, k, a, la, p, b, lb, i, 1);
}
inline void getrsT(const int* n, const int* k, const float* a, const int* la, const int* p, float* b, const int* lb,
                   int* i) {
  sgetrs_("T", n, k, a, la, p, b, lb, i, 1);
}
inline void getrf(const int* m, const int* n, double* a, const int* l, int* p, int* i) { dgetrf_(m, n, a, l, p, i); }
inline void getrf(const int* m, const int* n, float* a, const int* l, int* p, int* i) { sgetrf_(m, n, a, l, p, i); }
inline void geqrf(const int* m, const int* n, double* a, const int* l, double* t, double* w, const int* lw, int* i) {
  dgeqrf_(m, n, a, l, t, w, lw, i);
}
inline void geqrf(const int* m, const int* n, float* a, const int* l, float* t, float* w, const int* lw, int* i) {
  sgeqrf_(m, n, a, l, t, w, lw, i);
}
inline void orgqr(const int* m, const int* n, const int* k, double* a, const int* l, const double* t, double* w,
                  const int* lw, int* i) {
  dorgqr_(m, n, k, a, l, t, w, lw, i);
}
inline void orgqr(const int* m, const int* n, const int* k, float* a, const int* l, const float* t, float* w,
                  const int* lw, int* i) {
  sorgqr_(m, n, k, a, l, t, w, lw, i);
}
inline void syevd(const int* n, double* a, const int* l, double* w, double* wk, const int* lw, int* iw,
                  const int* liw, int* i) {
  dsyevd_("V", "L", n, a, l, w, wk, lw, iw, liw, i, 1, 1);
}
inline void syevd(const int* n, float* a, const int* l, float* w, float* wk, const int* lw, int* iw, const int* liw,
                  int* i) {
  ssyevd_("V", "L", n, a, l, w, wk, lw, iw, liw, i, 1, 1);
}
inline void gesdd(const int* m, const int* n, double* a, const int* la, double* s, double* u, const int* lu,
                  double* vt, const int* lvt, double* w, const int* lw, int* iw, int* i) {
  dgesdd_("S", m, n, a, la, s, u, lu, vt, lvt, w, lw, iw, i, 1);
}
inline void gesdd(const int* m, const int* n, float* a, const int* la, float* s, float* u, const int* lu, float* vt,
                  const int* lvt, float* w, const int* lw, int* iw, int* i) {
  sgesdd_("S", m, n, a, la, s, u, lu, vt, lvt, w, lw, iw, i, 1);
}

/** Row-major src (rows x cols) into column-major dst with leading dimension ld. */
template <typename T>
void toColMajor(const T* src, int rows, int cols, T* dst, int ld) {
  for (int i = 0; i < rows; i++)
    for (int j = 0; j < cols; j++) dst[i + (size_t)j * ld] = src[(size_t)i * cols + j];
}
/** Column-major src (leading dimension ld) into row-major dst (rows x cols). */
template <typename T>
void toRowMajor(const T* src, int rows, int cols, int ld, T* dst) {
  for (int i = 0; i < rows; i++)
    for (int j = 0; j < cols; j++) dst[(size_t)i * cols + j] = src[i + (size_t)j * ld];
}

enum Op : int32_t { POTRF = 0, TRTRS = 1, GESV = 2, SLOGDET = 3, QR = 4, SYEVD = 5, GESDD = 6 };

/**
 * One factorization over a batch of dense row-major matrices. Returns, for the first matrix whose LAPACK
 * call reported info > 0, (batch index, info) in status; status[0] = -1 when all succeeded.
 */
template <typename T>
void run(int op, int batch, int m, int n, int k, int flags, const T* a, const T* b, T* out, int32_t* status) {
  status[0] = -1;
  status[1] = 0;
  std::vector<T> A, B, W, X;
  std::vector<int> ipiv, iw;
  int info = 0;
  auto fail = [&](int bi, int inf) {
    if (status[0] < 0) {
      status[0] = bi;
      status[1] = inf;
    }
  };
  for (int bi = 0; bi < batch; bi++) {
    const T* ab = a + (size_t)bi * m * n;
    switch (op) {
      case POTRF: {  // flags: 1 = stop at the first failure
        A.assign((size_t)n * n, T(0));
        toColMajor(ab, n, n, A.data(), n);
        potrf("L", &n, A.data(), &n, &info);
        T* o = out + (size_t)bi * n * n;
        toRowMajor(A.data(), n, n, n, o);
        int from = info > 0 ? info - 1 : n;
        for (int i = 0; i < n; i++)
          for (int j = 0; j < n; j++)
            if (j > i || (i >= from && j >= from)) o[(size_t)i * n + j] = T(0);
        if (info > 0) {
          fail(bi, info);
          if (flags & 1) return;
        }
        break;
      }
      case TRTRS:  // A n x n, B n x k; flags: 1 = upper, 2 = unit diagonal
      case GESV: {
        B.resize((size_t)n * k);
        toColMajor(b + (size_t)bi * n * k, n, k, B.data(), n);
        if (op == TRTRS) {
          A.resize((size_t)n * n);
          toColMajor(ab, n, n, A.data(), n);
          trtrs((flags & 1) ? "U" : "L", "N", (flags & 2) ? "U" : "N", &n, &k, A.data(), &n, B.data(), &n, &info);
        } else {
          // the row-major A read column-major is A^T: factor it and solve (A^T)^T X = B, as PyTorch does
          A.assign(ab, ab + (size_t)n * n);
          ipiv.resize(n);
          getrf(&n, &n, A.data(), &n, ipiv.data(), &info);
          if (info == 0) getrsT(&n, &k, A.data(), &n, ipiv.data(), B.data(), &n, &info);
        }
        if (info > 0) return fail(bi, info);
        toRowMajor(B.data(), n, k, n, out + (size_t)bi * n * k);
        break;
      }
      case SLOGDET: {
        A.resize((size_t)n * n);
        toColMajor(ab, n, n, A.data(), n);
        ipiv.resize(n);
        getrf(&n, &n, A.data(), &n, ipiv.data(), &info);
        T* o = out + (size_t)bi * 2;
        if (info > 0) {
          o[0] = T(0);
          o[1] = -std::numeric_limits<T>::infinity();
          break;
        }
        double sign = 1, lad = 0;
        for (int j = 0; j < n; j++) {
          double d = A[j + (size_t)j * n];
          if (ipiv[j] != j + 1) sign = -sign;
          if (d < 0) sign = -sign;
          lad += std::log(std::fabs(d));
        }
        o[0] = T(sign);
        o[1] = T(lad);
        break;
      }
      case QR: {  // flags: 1 = complete (Q is m x m)
        int kk = m < n ? m : n;
        int qc = (flags & 1) ? m : kk;
        int cols = n > qc ? n : qc;
        A.assign((size_t)m * cols, T(0));
        toColMajor(ab, m, n, A.data(), m);
        std::vector<T> tau(kk > 0 ? kk : 1);
        T q = 0;
        int lw = -1;
        geqrf(&m, &n, A.data(), &m, tau.data(), &q, &lw, &info);
        lw = (int)q > 1 ? (int)q : 1;
        W.resize(lw);
        geqrf(&m, &n, A.data(), &m, tau.data(), W.data(), &lw, &info);
        lw = -1;
        orgqr(&m, &qc, &kk, A.data(), &m, tau.data(), &q, &lw, &info);
        lw = (int)q > 1 ? (int)q : 1;
        W.resize(lw);
        orgqr(&m, &qc, &kk, A.data(), &m, tau.data(), W.data(), &lw, &info);
        toRowMajor(A.data(), m, qc, m, out + (size_t)bi * m * qc);
        break;
      }
      case SYEVD: {  // out [n + 1, n]: eigenvectors as columns, then the eigenvalues
        A.resize((size_t)n * n);
        toColMajor(ab, n, n, A.data(), n);
        X.resize(n);
        T q = 0;
        int qi = 0, lw = -1, liw = -1;
        syevd(&n, A.data(), &n, X.data(), &q, &lw, &qi, &liw, &info);
        lw = (int)q > 1 ? (int)q : 1;
        liw = qi > 1 ? qi : 1;
        W.resize(lw);
        iw.resize(liw);
        syevd(&n, A.data(), &n, X.data(), W.data(), &lw, iw.data(), &liw, &info);
        if (info > 0) return fail(bi, info);
        T* o = out + (size_t)bi * (n + 1) * n;
        toRowMajor(A.data(), n, n, n, o);
        std::memcpy(o + (size_t)n * n, X.data(), sizeof(T) * n);
        break;
      }
      case GESDD: {  // m >= n; out [m + n + 1, n]: U, Vh, S
        A.resize((size_t)m * n);
        toColMajor(ab, m, n, A.data(), m);
        std::vector<T> U((size_t)m * n), VT((size_t)n * n), S(n);
        iw.resize(8 * (size_t)n);
        T q = 0;
        int lw = -1;
        gesdd(&m, &n, A.data(), &m, S.data(), U.data(), &m, VT.data(), &n, &q, &lw, iw.data(), &info);
        lw = (int)q > 1 ? (int)q : 1;
        W.resize(lw);
        gesdd(&m, &n, A.data(), &m, S.data(), U.data(), &m, VT.data(), &n, W.data(), &lw, iw.data(), &info);
        if (info > 0) return fail(bi, info);
        T* o = out + (size_t)bi * (m + n + 1) * n;
        toRowMajor(U.data(), m, n, m, o);
        toRowMajor(VT.data(), n, n, n, o + (size_t)m * n);
        std::memcpy(o + (size_t)(m + n) * n, S.data(), sizeof(T) * n);
        break;
      }
      default:
        return;
    }
  }
}

}  // namespace

// lapack(op, dtype, batch, m, n, k, flags, a, b, out, status): see run() above; false for non-float dtypes
Napi::Value Lapack(const Napi::CallbackInfo& info) {
  const int op = intArg(info, 0);
  const int batch = intArg(info, 2), m = intArg(info, 3), n = intArg(info, 4), k = intArg(info, 5);
  const int flags = intArg(info, 6);
  auto* status = static_cast<int32_t*>(dataOf(info, 10));
  const int32_t dt = intArg(info, 1);
  if (dt == F32)
    run<float>(op, batch, m, n, k, flags, static_cast<const float*>(dataOf(info, 7)),
               static_cast<const float*>(dataOf(info, 8)), static_cast<float*>(dataOf(info, 9)), status);
  else if (dt == F64)
    run<double>(op, batch, m, n, k, flags, static_cast<const double*>(dataOf(info, 7)),
                static_cast<const double*>(dataOf(info, 8)), static_cast<double*>(dataOf(info, 9)), status);
  else
    return Napi::Boolean::New(info.Env(), false);
  return Napi::Boolean::New(info.Env(), true);
}

}  // namespace gl
