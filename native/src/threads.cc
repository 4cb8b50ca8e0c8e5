// The thread pool behind parallelFor: workers spin briefly, then wait on a condition variable, for the next batch of chunks.
#include "threads.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define GL_PAUSE() _mm_pause()
#else
#define GL_PAUSE() std::this_thread::yield()
#endif

namespace gl {
namespace {

/**
 * Microseconds a thread spins (pause instructions, no system call) waiting for the next region or for a
 * region's last chunk before it blocks: a training step runs many short regions back to back, and waking
 * a blocked thread costs tens of microseconds on a VM. GRADLAB_POOL_SPIN_US overrides (0: block at once).
 */
int64_t spinMicros() {
  static const int64_t us = [] {
    const char* env = std::getenv("GRADLAB_POOL_SPIN_US");
    return env ? std::max<int64_t>(0, std::atoll(env)) : int64_t(50);
  }();
  return us;
}

/** Spins until done() or the spin time has passed; true when done() became true. */
template <typename Done>
bool spinUntil(Done done) {
  const int64_t us = spinMicros();
  if (us == 0) return done();
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(us);
  for (int i = 0;; i++) {
    if (done()) return true;
    GL_PAUSE();
    if ((i & 63) == 63 && std::chrono::steady_clock::now() >= until) return done();
  }
}

class Pool {
 public:
  explicit Pool(int n) : size_(n) {
    for (int i = 1; i < n; i++) workers_.emplace_back([this] { loop(); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }
  int size() const { return size_; }

  void run(int chunks, const std::function<void(int)>& task) {
    std::lock_guard<std::mutex> region(runMu_);  // one parallel region at a time
    uint64_t gen;
    {
      std::lock_guard<std::mutex> lock(mu_);
      task_ = &task;
      next_ = 0;
      total_ = chunks;
      pending_ = chunks;
      gen = ++generation_;
    }
    cv_.notify_all();
    work(gen);
    if (spinUntil([this] { return pending_.load(std::memory_order_acquire) == 0; })) {
      std::lock_guard<std::mutex> lock(mu_);  // the last chunk's bookkeeping is done when the lock is free
      return;
    }
    std::unique_lock<std::mutex> lock(mu_);
    done_.wait(lock, [this] { return pending_ == 0; });
  }

 private:
  /** Takes chunks of generation `gen` until none is left; every chunk runs exactly once. */
  void work(uint64_t gen) {
    for (;;) {
      const std::function<void(int)>* task;
      int i;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (gen != generation_ || next_ >= total_) return;
        i = next_++;
        task = task_;
      }
      (*task)(i);
      std::lock_guard<std::mutex> lock(mu_);
      if (--pending_ == 0) done_.notify_all();
    }
  }
  void loop() {
    uint64_t seen = 0;
    for (;;) {
      spinUntil([&] { return stop_.load(std::memory_order_relaxed) || generation_.load(std::memory_order_acquire) != seen; });
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
      }
      work(seen);
    }
  }

  int size_;
  std::vector<std::thread> workers_;
  std::mutex mu_, runMu_;
  std::condition_variable cv_, done_;
  const std::function<void(int)>* task_ = nullptr;
  int next_ = 0;
  int total_ = 0;
  // written under mu_; atomic so the spinning threads may read them without it
  std::atomic<int> pending_{0};
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stop_{false};
};

Pool& pool() {
  static Pool p(std::max(1u, std::thread::hardware_concurrency()));
  return p;
}

}  // namespace

int threadCount() { return pool().size(); }

/** True on a thread that is running a chunk of a parallel region: nested regions run inline. */
static thread_local bool t_inRegion = false;

bool inParallelRegion() { return t_inRegion; }

void parallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  int t = threadCount();
  if (t <= 1 || n < 2 * grain || t_inRegion) {
    fn(0, n);
    return;
  }
  int64_t chunks = std::min<int64_t>(t, n / grain);
  int64_t per = (n + chunks - 1) / chunks;
  pool().run(static_cast<int>(chunks), [&](int c) {
    int64_t b = c * per, e = std::min(n, b + per);
    t_inRegion = true;
    if (b < e) fn(b, e);
    t_inRegion = false;
  });
}

}  // namespace gl
