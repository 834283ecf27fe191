#include "daemon/chain/chain_worker.hpp"

#include <pthread.h>

#include <algorithm>

namespace seedd::chain {

ChainWorker::ChainWorker(size_t max_queued) : m_max_queued(max_queued), m_thread([this] { run(); }) {}

ChainWorker::~ChainWorker() { shutdown(); }

void ChainWorker::post(std::function<void()> job) {
  {
    std::lock_guard lock(m_mutex);
    if (m_stopping) throw QueueFull("the chain worker is stopping");
    if (m_jobs.size() >= m_max_queued)
      throw QueueFull("the chain worker has " + std::to_string(m_jobs.size()) + " jobs waiting (the endpoint is slow or down)");
    m_jobs.push_back(std::move(job));
  }
  m_wake.notify_one();
}

void ChainWorker::every(std::chrono::milliseconds interval, std::function<void()> fn,
                        std::function<void(const std::exception&)> on_error) {
  {
    std::lock_guard lock(m_mutex);
    m_periodic.push_back({interval, std::chrono::steady_clock::now(), std::move(fn), std::move(on_error)});
  }
  m_wake.notify_one();
}

void ChainWorker::interrupt() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_one();
}

void ChainWorker::shutdown() {
  interrupt();
  if (m_thread.joinable()) m_thread.join();
  std::deque<std::function<void()>> dropped;
  {
    std::lock_guard lock(m_mutex);
    dropped.swap(m_jobs);
  }
  // Destroyed outside the lock: each leaves its future with broken_promise.
}

void ChainWorker::run() {
  ::pthread_setname_np(::pthread_self(), "seedd-chain");
  std::unique_lock lock(m_mutex);
  while (!m_stopping) {
    const auto now = std::chrono::steady_clock::now();
    // Queued jobs first (someone waits on them), then any periodic job that is due.
    if (!m_jobs.empty()) {
      auto job = std::move(m_jobs.front());
      m_jobs.pop_front();
      lock.unlock();
      job();  // a packaged_task: its exception goes to its future
      lock.lock();
      continue;
    }
    auto due = std::min_element(m_periodic.begin(), m_periodic.end(),
                                [](const Periodic& a, const Periodic& b) { return a.next < b.next; });
    if (due != m_periodic.end() && due->next <= now) {
      due->next = now + due->interval;
      auto fn = due->fn;  // copies: every() may add to m_periodic while the lock is released
      auto on_error = due->on_error;
      lock.unlock();
      try {
        fn();
      } catch (const std::exception& e) {
        if (on_error) on_error(e);
      }
      lock.lock();
      continue;
    }
    if (due != m_periodic.end()) m_wake.wait_until(lock, due->next);
    else m_wake.wait(lock);
  }
}

}  // namespace seedd::chain
