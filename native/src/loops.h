// The strided loop driver: calls a row function for each innermost row of a coalesced iteration space.
#pragma once
#include "common.h"
#include "threads.h"

#include <algorithm>

namespace gl {

/**
 * Calls row(ptrOffsets[nops], length, innerStrides[nops]) for every innermost row of `s` (after
 * coalescing). Rows are split across the thread pool when the space holds at least `parallelMin`
 * elements; `splitRows` also allows cutting a single long row (only for independent elements).
 */
template <typename Row>
void forEachRow(Strided& s, int64_t parallelMin, Row row, bool splitRows = true) {
  coalesce(s);
  const int nops = s.nops;
  if (s.nd == 0) {
    int64_t offs[kMaxOperands], ones[kMaxOperands];
    for (int k = 0; k < nops; k++) offs[k] = s.offset[k], ones[k] = 0;
    row(offs, 1, ones);
    return;
  }
  const int inner = s.nd - 1;
  const int64_t len = s.shape[inner];
  int64_t innerStrides[kMaxOperands];
  for (int k = 0; k < nops; k++) innerStrides[k] = s.strides[k][inner];
  int64_t rows = 1;
  for (int d = 0; d < inner; d++) rows *= s.shape[d];
  if (rows == 0 || len == 0) return;
  if (rows == 1 && splitRows && len >= parallelMin) {
    // one long row: cut it into pieces (valid for elementwise rows, whose elements are independent)
    parallelFor(len, std::max<int64_t>(1024, parallelMin / 2), [&](int64_t b, int64_t e) {
      int64_t offs[kMaxOperands];
      for (int k = 0; k < nops; k++) offs[k] = s.offset[k] + b * innerStrides[k];
      row(offs, e - b, innerStrides);
    });
    return;
  }
  auto runRows = [&](int64_t begin, int64_t end) {
    int64_t idx[kMaxDims];
    int64_t offs[kMaxOperands];
    int64_t r = begin;
    for (int d = inner - 1; d >= 0; d--) {
      idx[d] = r % s.shape[d];
      r /= s.shape[d];
    }
    for (int k = 0; k < nops; k++) {
      offs[k] = s.offset[k];
      for (int d = 0; d < inner; d++) offs[k] += idx[d] * s.strides[k][d];
    }
    for (int64_t i = begin; i < end; i++) {
      row(offs, len, innerStrides);
      for (int d = inner - 1; d >= 0; d--) {
        for (int k = 0; k < nops; k++) offs[k] += s.strides[k][d];
        if (++idx[d] < s.shape[d]) break;
        for (int k = 0; k < nops; k++) offs[k] -= s.strides[k][d] * s.shape[d];
        idx[d] = 0;
      }
    }
  };
  if (rows * len >= parallelMin && rows > 1) {
    int64_t grain = std::max<int64_t>(1, parallelMin / (2 * len));
    parallelFor(rows, grain, runRows);
  } else {
    runRows(0, rows);
  }
}

}  // namespace gl
