// The scalar functions behind the elementwise kernels, shared by the op-by-op loops and fused expressions.
#pragma once
#include <cmath>

#include "kernels.h"

namespace gl {

template <typename T>
T signOf(T x) {
  return x > 0 ? T(1) : x < 0 ? T(-1) : x;  // keeps 0, -0 and NaN as they are
}

template <typename T>
T sigmoidOf(T x) {
  if (x >= 0) return T(1) / (T(1) + std::exp(-x));
  T e = std::exp(x);
  return e / (T(1) + e);
}

template <typename T>
T maxNan(T x, T y) {
  return (x != x || y != y) ? T(NAN) : (x > y ? x : y);
}
template <typename T>
T minNan(T x, T y) {
  return (x != x || y != y) ? T(NAN) : (x < y ? x : y);
}

/**
 * Calls visit(f, costly) with the scalar function of unary op `op` (a UnaryCode) and whether it is
 * transcendental; false for an unknown code. One definition, so fused and unfused results agree bitwise.
 */
template <typename T, typename Visit>
bool visitUnary(int op, Visit&& visit) {
  switch (op) {
    case U_NEG: visit([](T v) { return -v; }, false); return true;
    case U_EXP: visit([](T v) { return std::exp(v); }, true); return true;
    case U_LOG: visit([](T v) { return std::log(v); }, true); return true;
    case U_LOG1P: visit([](T v) { return std::log1p(v); }, true); return true;
    case U_EXPM1: visit([](T v) { return std::expm1(v); }, true); return true;
    case U_SIN: visit([](T v) { return std::sin(v); }, true); return true;
    case U_COS: visit([](T v) { return std::cos(v); }, true); return true;
    case U_TANH: visit([](T v) { return std::tanh(v); }, true); return true;
    case U_SQRT: visit([](T v) { return std::sqrt(v); }, false); return true;
    case U_ABS: visit([](T v) { return std::fabs(v); }, false); return true;
    case U_SIGN: visit([](T v) { return signOf(v); }, false); return true;
    case U_SIGMOID: visit([](T v) { return sigmoidOf(v); }, true); return true;
    case U_RELU: visit([](T v) { return v > 0 ? v : (v == v ? T(0) : v); }, false); return true;
    case U_ERF: visit([](T v) { return std::erf(v); }, true); return true;
  }
  return false;
}

/** Calls visit(f, costly) with the arithmetic binary op `op` (B_ADD..B_MINIMUM); false for other codes. */
template <typename T, typename Visit>
bool visitArith(int op, Visit&& visit) {
  switch (op) {
    case B_ADD: visit([](T x, T y) { return x + y; }, false); return true;
    case B_SUB: visit([](T x, T y) { return x - y; }, false); return true;
    case B_MUL: visit([](T x, T y) { return x * y; }, false); return true;
    case B_DIV: visit([](T x, T y) { return x / y; }, false); return true;
    case B_POW: visit([](T x, T y) { return std::pow(x, y); }, true); return true;
    case B_MAXIMUM: visit([](T x, T y) { return maxNan(x, y); }, false); return true;
    case B_MINIMUM: visit([](T x, T y) { return minNan(x, y); }, false); return true;
  }
  return false;
}

/** Calls visit(f) with the comparison `op` (B_EQ..B_GE) as a bool-valued function; false for other codes. */
template <typename T, typename Visit>
bool visitCompare(int op, Visit&& visit) {
  switch (op) {
    case B_EQ: visit([](T x, T y) { return x == y; }); return true;
    case B_NE: visit([](T x, T y) { return x != y; }); return true;
    case B_LT: visit([](T x, T y) { return x < y; }); return true;
    case B_LE: visit([](T x, T y) { return x <= y; }); return true;
    case B_GT: visit([](T x, T y) { return x > y; }); return true;
    case B_GE: visit([](T x, T y) { return x >= y; }); return true;
  }
  return false;
}

}  // namespace gl
