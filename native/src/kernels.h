// Op codes shared with src/backends/native/codes.ts, and the kernel entry points the addon exports.
#pragma once
#include "common.h"

namespace gl {

enum UnaryCode : int32_t {
  U_NEG, U_EXP, U_LOG, U_LOG1P, U_EXPM1, U_SIN, U_COS, U_TANH, U_SQRT, U_ABS, U_SIGN, U_SIGMOID, U_RELU, U_ERF
};
enum BinaryCode : int32_t {
  B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAXIMUM, B_MINIMUM, B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE
};
enum ReduceCode : int32_t { R_SUM, R_AMAX, R_AMIN, R_PROD };

Napi::Value Unary(const Napi::CallbackInfo& info);
Napi::Value Binary(const Napi::CallbackInfo& info);
Napi::Value Where(const Napi::CallbackInfo& info);
Napi::Value Cast(const Napi::CallbackInfo& info);
Napi::Value Copy(const Napi::CallbackInfo& info);
Napi::Value Reduce(const Napi::CallbackInfo& info);
Napi::Value ArgReduce(const Napi::CallbackInfo& info);
Napi::Value ArgReduceDense(const Napi::CallbackInfo& info);
Napi::Value LogSoftmax(const Napi::CallbackInfo& info);
Napi::Value LogSoftmaxGrad(const Napi::CallbackInfo& info);
Napi::Value Matmul(const Napi::CallbackInfo& info);
Napi::Value Lapack(const Napi::CallbackInfo& info);
Napi::Value MatmulEpilogue(const Napi::CallbackInfo& info);
Napi::Value Unfold(const Napi::CallbackInfo& info);
Napi::Value Fold(const Napi::CallbackInfo& info);
Napi::Value Conv2d(const Napi::CallbackInfo& info);
Napi::Value Conv2dInputGrad(const Napi::CallbackInfo& info);
Napi::Value Conv2dWeightGrad(const Napi::CallbackInfo& info);
Napi::Value MaxPool2d(const Napi::CallbackInfo& info);
Napi::Value MaxPool2dGrad(const Napi::CallbackInfo& info);
Napi::Value Gather(const Napi::CallbackInfo& info);
Napi::Value ScatterAdd(const Napi::CallbackInfo& info);
Napi::Value SgdStep(const Napi::CallbackInfo& info);
Napi::Value AdamStep(const Napi::CallbackInfo& info);
Napi::Value FusedMap(const Napi::CallbackInfo& info);

/** Decides once, at load, whether GEMMs are split over the pool with BLAS single-threaded (see blas.h). */
void initGemmThreads();

}  // namespace gl
