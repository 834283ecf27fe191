// The chain worker: jobs run in order on its own thread and hand back results and exceptions;
// a full queue refuses the next job; periodic jobs repeat and survive a throw; shutdown waits
// for the running job and drops the rest.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "daemon/chain/chain_worker.hpp"

using namespace seedd::chain;
using namespace std::chrono_literals;

TEST_CASE("chain jobs run in order on the worker thread and hand back results and exceptions", "[chain]") {
  ChainWorker worker;
  std::vector<int> order;
  std::vector<std::future<std::thread::id>> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(worker.submit([&order, i] {
      order.push_back(i);
      return std::this_thread::get_id();
    }));
  for (auto& f : ids) CHECK(f.get() != std::this_thread::get_id());
  CHECK(order == std::vector<int>{0, 1, 2, 3, 4});
  auto failing = worker.submit([]() -> int { throw std::runtime_error("endpoint down"); });
  CHECK_THROWS_WITH(failing.get(), "endpoint down");
  CHECK(worker.submit([] { return 42; }).get() == 42);  // a throw does not stop the worker
}

TEST_CASE("a full chain queue refuses the next job instead of queuing it", "[chain]") {
  ChainWorker worker(2);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> started;
  auto blocking = worker.submit([&] {
    started.set_value();
    gate.wait();
  });
  started.get_future().wait();  // the worker holds this one: the queue itself is empty
  auto a = worker.submit([] {});
  auto b = worker.submit([] {});
  CHECK_THROWS_AS(worker.submit([] {}), QueueFull);  // the third waiting job: over the limit of 2
  release.set_value();
  blocking.get();
  a.get();
  b.get();
  CHECK_NOTHROW(worker.submit([] {}).get());
}

TEST_CASE("a periodic chain job repeats and a throw from it goes to its error handler", "[chain]") {
  ChainWorker worker;
  std::atomic<int> runs{0}, errors{0};
  worker.every(
      10ms,
      [&] {
        if (++runs % 2 == 0) throw std::runtime_error("timed out");
      },
      [&](const std::exception&) { ++errors; });
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (runs < 5 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
  CHECK(runs >= 5);
  CHECK(errors >= 2);
  CHECK(worker.submit([] { return 1; }).get() == 1);  // jobs still get through between the runs
}

TEST_CASE("shutdown waits for the running chain job, drops the queued ones and refuses new ones", "[chain]") {
  ChainWorker worker;
  std::promise<void> started;
  std::atomic<bool> finished{false};
  auto running = worker.submit([&] {
    started.set_value();
    std::this_thread::sleep_for(100ms);
    finished = true;
  });
  started.get_future().wait();
  auto queued = worker.submit([] { return 1; });
  worker.shutdown();
  CHECK(finished);
  running.get();
  CHECK_THROWS_AS(queued.get(), std::future_error);
  CHECK_THROWS_AS(worker.submit([] {}), QueueFull);
  worker.shutdown();  // twice is fine
}
