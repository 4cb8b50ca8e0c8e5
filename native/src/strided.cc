// Reading strided-operation metadata from the shared block, and merging dims before iteration.
#include "common.h"

namespace gl {

int32_t* g_meta = nullptr;
double* g_scalars = nullptr;

int readStrided(Strided& s, int nops, int at) {
  s.nd = g_meta[at++];
  s.nops = nops;
  for (int d = 0; d < s.nd; d++) s.shape[d] = g_meta[at++];
  for (int k = 0; k < nops; k++) {
    s.offset[k] = g_meta[at++];
    for (int d = 0; d < s.nd; d++) s.strides[k][d] = g_meta[at++];
  }
  return at;
}

void coalesce(Strided& s) {
  // drop size-1 dims (their strides never matter)
  int w = 0;
  for (int d = 0; d < s.nd; d++) {
    if (s.shape[d] == 1) continue;
    s.shape[w] = s.shape[d];
    for (int k = 0; k < s.nops; k++) s.strides[k][w] = s.strides[k][d];
    w++;
  }
  s.nd = w;
  if (s.nd == 0) return;
  // merge dim d into d+1 when, for every operand, stride[d] == stride[d+1] * shape[d+1]
  w = 0;
  for (int d = 1; d < s.nd; d++) {
    bool ok = true;
    for (int k = 0; k < s.nops && ok; k++) ok = s.strides[k][w] == s.strides[k][d] * s.shape[d];
    if (ok) {
      s.shape[w] *= s.shape[d];
      for (int k = 0; k < s.nops; k++) s.strides[k][w] = s.strides[k][d];
    } else {
      w++;
      s.shape[w] = s.shape[d];
      for (int k = 0; k < s.nops; k++) s.strides[k][w] = s.strides[k][d];
    }
  }
  s.nd = w + 1;
}

}  // namespace gl
