// The addon's entry point: binds the shared metadata block and exports every kernel to JS.
#include "common.h"
#include "blas.h"
#include "kernels.h"
#include "threads.h"

#include <cstdlib>
#include <cstring>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#ifndef GRADLAB_ACCELERATE
// OpenBLAS's own introspection; weak so that another CBLAS links too (then they are null).
extern "C" __attribute__((weak)) char* openblas_get_corename(void);
extern "C" __attribute__((weak)) int openblas_get_num_threads(void);
#endif

namespace gl {
namespace {

Napi::Reference<Napi::Value> metaRef, scalarsRef;

// setMeta(int32Array, float64Array): the blocks JS writes shapes/strides and float params into
Napi::Value SetMeta(const Napi::CallbackInfo& info) {
  g_meta = static_cast<int32_t*>(dataOf(info, 0));
  g_scalars = static_cast<double*>(dataOf(info, 1));
  metaRef = Napi::Persistent(info[0]);
  scalarsRef = Napi::Persistent(info[1]);
  return info.Env().Undefined();
}

Napi::Value Threads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), threadCount()); }

// blasInfo(): { library, core, threads } of the BLAS this addon was linked with
Napi::Value BlasInfo(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
#ifdef GRADLAB_ACCELERATE
  o.Set("library", "Accelerate");
  o.Set("core", "");
  o.Set("threads", 0);
#else
  bool openblas = openblas_get_corename != nullptr;
  o.Set("library", openblas ? "OpenBLAS" : "CBLAS");
  o.Set("core", openblas ? openblas_get_corename() : "");
  o.Set("threads", openblas && openblas_get_num_threads ? openblas_get_num_threads() : 0);
#endif
  o.Set("split", gemmSplit());
  return o;
}

// Keeps freed tensor memory in the process (glibc only; GRADLAB_MALLOC_TUNING=0 leaves malloc alone).
// Tensors on this backend are ArrayBuffers that Node takes from malloc. By default glibc serves large
// blocks with mmap (from 128 KiB, a threshold that adapts up to 32 MiB) and gives the top of the heap
// back to the system past a trim threshold, so a training loop whose activations the garbage
// collector frees each step had fresh pages mapped (and zeroed by the kernel, one page fault each)
// every step. Here blocks below 32 MiB come from the heap and freed memory stays for the next step.
void tuneMalloc() {
#if defined(__GLIBC__)
  const char* e = std::getenv("GRADLAB_MALLOC_TUNING");
  if (e && std::strcmp(e, "0") == 0) return;
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  tuneMalloc();
  initGemmThreads();
  exports.Set("setMeta", Napi::Function::New(env, SetMeta));
  exports.Set("threads", Napi::Function::New(env, Threads));
  exports.Set("blasInfo", Napi::Function::New(env, BlasInfo));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("where", Napi::Function::New(env, Where));
  exports.Set("cast", Napi::Function::New(env, Cast));
  exports.Set("copy", Napi::Function::New(env, Copy));
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("argReduce", Napi::Function::New(env, ArgReduce));
  exports.Set("argReduceDense", Napi::Function::New(env, ArgReduceDense));
  exports.Set("logSoftmax", Napi::Function::New(env, LogSoftmax));
  exports.Set("logSoftmaxGrad", Napi::Function::New(env, LogSoftmaxGrad));
  exports.Set("matmul", Napi::Function::New(env, Matmul));
  exports.Set("matmulEpilogue", Napi::Function::New(env, MatmulEpilogue));
  exports.Set("unfold", Napi::Function::New(env, Unfold));
  exports.Set("fold", Napi::Function::New(env, Fold));
  exports.Set("conv2d", Napi::Function::New(env, Conv2d));
  exports.Set("conv2dInputGrad", Napi::Function::New(env, Conv2dInputGrad));
  exports.Set("conv2dWeightGrad", Napi::Function::New(env, Conv2dWeightGrad));
  exports.Set("maxPool2d", Napi::Function::New(env, MaxPool2d));
  exports.Set("maxPool2dGrad", Napi::Function::New(env, MaxPool2dGrad));
  exports.Set("gather", Napi::Function::New(env, Gather));
  exports.Set("scatterAdd", Napi::Function::New(env, ScatterAdd));
  exports.Set("sgdStep", Napi::Function::New(env, SgdStep));
  exports.Set("adamStep", Napi::Function::New(env, AdamStep));
  exports.Set("fusedMap", Napi::Function::New(env, FusedMap));
  exports.Set("lapack", Napi::Function::New(env, Lapack));
  return exports;
}

}  // namespace gl

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return gl::Init(env, exports); }

NODE_API_MODULE(gradlab_native, InitAddon)
