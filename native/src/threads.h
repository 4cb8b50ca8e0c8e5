// A small persistent thread pool sized to the machine, with a blocking parallel_for.
#pragma once
#include <cstdint>
#include <functional>

namespace gl {

/** Number of threads parallel_for uses (hardware concurrency, at least 1). */
int threadCount();

/**
 * Runs fn(begin, end) over [0, n) split into at most threadCount() chunks of at least `grain` items;
 * runs inline when n < 2 * grain. Blocks until all chunks finished.
 */
void parallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

/** True on a thread that is running a chunk of a parallel region (a nested parallelFor runs inline there). */
bool inParallelRegion();

}  // namespace gl
