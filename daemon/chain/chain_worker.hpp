#pragma once
// The one thread ("seedd-chain") that runs chain calls, so that a slow or dead endpoint holds up
// only chain work: the alert loop and the RPC workers hand jobs over and wait on a future with
// their own deadline (or not at all). Jobs run one at a time in the order given; periodic jobs
// (the bounty cache's refresh, following pending transactions) run between them.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <vector>

namespace seedd::chain {

/// Jobs waiting at most; one more is refused (QueueFull) instead of queuing behind a dead endpoint.
inline constexpr size_t kMaxQueuedChainJobs = 256;

/// The queue is full or the worker is stopping: answer "busy" (503) rather than wait.
class QueueFull : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ChainWorker {
 public:
  explicit ChainWorker(size_t max_queued = kMaxQueuedChainJobs);
  /// shutdown().
  ~ChainWorker();
  ChainWorker(const ChainWorker&) = delete;
  ChainWorker& operator=(const ChainWorker&) = delete;

  /// Queues `fn` and returns the future of its result (its exception, if it throws). Throws
  /// QueueFull when max_queued jobs are waiting or the worker was interrupted. A job dropped at
  /// shutdown leaves its future with std::future_error (broken_promise).
  template <class F>
  auto submit(F&& fn) -> std::future<std::invoke_result_t<F>> {
    using R = std::invoke_result_t<F>;
    auto task = std::make_shared<std::packaged_task<R()>>(std::forward<F>(fn));
    auto future = task->get_future();
    post([task] { (*task)(); });
    return future;
  }

  /// Runs `fn` on the worker every `interval`, the first time at once. A throw goes to
  /// `on_error` (on the worker thread) and the schedule goes on.
  void every(std::chrono::milliseconds interval, std::function<void()> fn,
             std::function<void(const std::exception&)> on_error = {});

  /// Stops taking jobs (submit throws QueueFull); queued and periodic jobs no longer start.
  void interrupt();
  /// interrupt(), then waits for the running job (a chain call: bounded by its timeout) and
  /// joins the thread. Idempotent.
  void shutdown();

 private:
  struct Periodic {
    std::chrono::milliseconds interval;
    std::chrono::steady_clock::time_point next;
    std::function<void()> fn;
    std::function<void(const std::exception&)> on_error;
  };

  void post(std::function<void()> job);
  void run();

  const size_t m_max_queued;
  std::mutex m_mutex;  // guards the members below; never held while a job runs
  std::condition_variable m_wake;
  std::deque<std::function<void()>> m_jobs;
  std::vector<Periodic> m_periodic;
  bool m_stopping = false;
  std::thread m_thread;  // last: started once the members above exist
};

}  // namespace seedd::chain
