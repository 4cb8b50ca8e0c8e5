// Fused elementwise expressions (float32): a postfix program evaluated block by block in L1-sized buffers.
#include <algorithm>
#include <cstring>

#include "common.h"
#include "kernels.h"
#include "scalar_ops.h"
#include "threads.h"

namespace gl {
namespace {

// Instruction codes of a program: pairs (code, argument), as src/backends/native/fused-map.ts writes them.
enum MapOp : int32_t { M_INPUT = 0, M_CONST = 1, M_UNARY = 2, M_BINARY = 3, M_WHERE = 4 };

constexpr int64_t kBlock = 512;   // elements evaluated together (each stack slot is 2 KB)
constexpr int kMaxStack = 8;      // deepest operand stack a program may need (checked in JS)
constexpr int kMaxInputs = 4;

struct Program {
  const int32_t* code;
  int32_t length;  // int32 entries (two per instruction)
  const float* consts;
  const float* inputs[kMaxInputs];
  // how input k maps onto the output: 0 dense, 1 one value broadcast to every element, 2 a vector
  // broadcast along one dim (a bias): element i reads input[(i / inner[k]) % count[k]]
  int mode[kMaxInputs];
  int64_t inner[kMaxInputs];
  int64_t count[kMaxInputs];
};

/** Fills dst[0, n) with the per-channel values of input k for elements [start, start + n). */
void fillChannel(const Program& p, int k, int64_t start, int64_t n, float* dst) {
  const float* v = p.inputs[k];
  const int64_t inner = p.inner[k];
  const int64_t count = p.count[k];
  int64_t i = 0;
  while (i < n) {
    const int64_t at = start + i;
    const float value = v[(at / inner) % count];
    const int64_t run = std::min(n - i, inner - at % inner);
    std::fill(dst + i, dst + i + run, value);
    i += run;
  }
}

/** Evaluates `p` for elements [start, start + n) (n <= kBlock) into out. */
void evalBlock(const Program& p, int64_t start, int64_t n, float* out) {
  alignas(64) float buf[kMaxStack][kBlock];
  const float* slot[kMaxStack];
  int sp = 0;
  auto fill = [&](float v) {
    std::fill(buf[sp], buf[sp] + n, v);
    slot[sp] = buf[sp];
    sp++;
  };
  for (int32_t pc = 0; pc < p.length; pc += 2) {
    const int32_t arg = p.code[pc + 1];
    switch (p.code[pc]) {
      case M_INPUT:
        if (p.mode[arg] == 1) fill(p.inputs[arg][0]);
        else if (p.mode[arg] == 2) {
          fillChannel(p, arg, start, n, buf[sp]);
          slot[sp] = buf[sp];
          sp++;
        } else slot[sp++] = p.inputs[arg] + start;
        break;
      case M_CONST: fill(p.consts[arg]); break;
      case M_UNARY: {
        float* d = buf[sp - 1];
        const float* a = slot[sp - 1];
        visitUnary<float>(arg, [&](auto f, bool) {
#pragma omp simd
          for (int64_t i = 0; i < n; i++) d[i] = f(a[i]);
        });
        slot[sp - 1] = d;
        break;
      }
      case M_BINARY: {
        float* d = buf[sp - 2];
        const float* a = slot[sp - 2];
        const float* b = slot[sp - 1];
        if (!visitArith<float>(arg, [&](auto f, bool) {
#pragma omp simd
              for (int64_t i = 0; i < n; i++) d[i] = f(a[i], b[i]);
            }))
          visitCompare<float>(arg, [&](auto f) {
#pragma omp simd
            for (int64_t i = 0; i < n; i++) d[i] = f(a[i], b[i]) ? 1.0f : 0.0f;
          });
        slot[sp - 2] = d;
        sp--;
        break;
      }
      case M_WHERE: {
        float* d = buf[sp - 3];
        const float* c = slot[sp - 3];
        const float* a = slot[sp - 2];
        const float* b = slot[sp - 1];
#pragma omp simd
        for (int64_t i = 0; i < n; i++) d[i] = c[i] != 0.0f ? a[i] : b[i];
        slot[sp - 3] = d;
        sp -= 2;
        break;
      }
    }
  }
  std::memcpy(out + start, slot[0], sizeof(float) * n);
}

}  // namespace

// fusedMap(program, consts, n, costly, out, in0, in1?, in2?, in3?); meta: [outOffset, nInputs, (offset, mode)
// per input, then (inner, count) per input for mode 2]
Napi::Value FusedMap(const Napi::CallbackInfo& info) {
  Program p{};
  p.code = static_cast<const int32_t*>(dataOf(info, 0));
  p.length = static_cast<int32_t>(info[0].As<Napi::TypedArray>().ElementLength());
  p.consts = static_cast<const float*>(dataOf(info, 1));
  const int64_t n = static_cast<int64_t>(numArg(info, 2));
  const bool costly = intArg(info, 3) != 0;
  float* out = static_cast<float*>(dataOf(info, 4)) + g_meta[0];
  const int nIn = g_meta[1];
  if (nIn > kMaxInputs) return Napi::Boolean::New(info.Env(), false);
  for (int k = 0; k < nIn; k++) {
    p.inputs[k] = static_cast<const float*>(dataOf(info, 5 + k)) + g_meta[2 + 2 * k];
    p.mode[k] = g_meta[3 + 2 * k];
    p.inner[k] = g_meta[2 + 2 * nIn + 2 * k];
    p.count[k] = g_meta[3 + 2 * nIn + 2 * k];
    if (p.mode[k] == 2 && (p.inner[k] < 1 || p.count[k] < 1)) return Napi::Boolean::New(info.Env(), false);
  }
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  // about 64K elements per task for arithmetic, 8K with transcendental functions
  const int64_t grain = costly ? 16 : 128;
  parallelFor(blocks, grain, [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e; k++) evalBlock(p, k * kBlock, std::min(kBlock, n - k * kBlock), out);
  });
  return Napi::Boolean::New(info.Env(), true);
}

}  // namespace gl
