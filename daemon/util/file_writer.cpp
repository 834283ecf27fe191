#include "daemon/util/file_writer.hpp"

#include <iterator>
#include <malloc.h>
#include <pthread.h>
#include <unordered_set>

#include "daemon/util/atomic_file.hpp"

namespace seedd::util {
namespace {
constexpr uint64_t kTrimAfterOps = 1000;
// Operations taken from the queue at a time: a waiting producer hears of progress after each.
constexpr size_t kMaxBatch = 256;
}  // namespace

FileWriter::FileWriter(unsigned mode, ErrorSink on_error) : m_mode(mode), m_on_error(std::move(on_error)) {
  m_thread = std::thread([this] {
    ::pthread_setname_np(::pthread_self(), "seedd-writer");
    run();
  });
}

FileWriter::~FileWriter() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_one();
  m_thread.join();
}

void FileWriter::write(std::filesystem::path path, std::string contents) {
  {
    std::lock_guard lock(m_mutex);
    m_queue.push_back({std::move(path), std::move(contents)});
    ++m_queued;
  }
  m_wake.notify_one();
}

void FileWriter::remove(std::filesystem::path path) {
  {
    std::lock_guard lock(m_mutex);
    m_queue.push_back({std::move(path), std::nullopt});
    ++m_queued;
  }
  m_wake.notify_one();
}

void FileWriter::flush() {
  std::unique_lock lock(m_mutex);
  const uint64_t target = m_queued;
  m_done.wait(lock, [&] { return m_finished >= target; });
}

void FileWriter::wait_backlog_below(size_t limit) {
  std::unique_lock lock(m_mutex);
  m_done.wait(lock, [&] { return m_queued - m_finished < limit; });
}

size_t FileWriter::backlog() const {
  std::lock_guard lock(m_mutex);
  return static_cast<size_t>(m_queued - m_finished);
}

void FileWriter::run() {
  std::unique_lock lock(m_mutex);
  for (;;) {
    m_wake.wait(lock, [&] { return m_stopping || !m_queue.empty(); });
    if (m_queue.empty()) return;  // stopping, and everything is written
    std::deque<Op> batch;
    if (m_queue.size() <= kMaxBatch) {
      batch.swap(m_queue);
    } else {
      const auto end = m_queue.begin() + kMaxBatch;
      batch.assign(std::make_move_iterator(m_queue.begin()), std::make_move_iterator(end));
      m_queue.erase(m_queue.begin(), end);
    }
    lock.unlock();
    const auto count = batch.size();
    apply(batch);
    lock.lock();
    m_finished += count;
    m_done.notify_all();
    // The end of a burst (thousands of torrents added): the freed file contents are scattered
    // through the heap between long-lived objects; glibc keeps them unless asked.
    m_since_trim += count;
    if (m_queue.empty() && m_since_trim >= kTrimAfterOps) {
      m_since_trim = 0;
      lock.unlock();
      ::malloc_trim(0);
      lock.lock();
    }
  }
}

void FileWriter::apply(std::deque<Op>& ops) {
  // Only the last operation on each path matters: what is left touches distinct paths, so
  // their order no longer does.
  std::unordered_set<std::string> seen;
  std::vector<FileWrite> writes;
  std::vector<std::filesystem::path> removes;
  for (auto it = ops.rbegin(); it != ops.rend(); ++it) {
    if (!seen.insert(it->path.native()).second) continue;
    if (it->contents) writes.push_back({std::move(it->path), std::move(*it->contents)});
    else removes.push_back(std::move(it->path));
  }
  ops.clear();
  if (!writes.empty()) write_files_atomic(writes, m_mode, m_on_error);
  if (!removes.empty()) remove_files(removes, m_on_error);
}

}  // namespace seedd::util
