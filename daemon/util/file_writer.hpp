#pragma once
// A thread that writes and removes state files in the background, in the order they were asked
// for, with write_files_atomic()'s guarantee for each file.
//
// Why: writing a resume file costs an fsync, so 10,000 torrents added at once kept the engine
// thread writing for seconds while libtorrent queued alerts, and libtorrent never gives the
// alert queue's storage back (docs/benchmarks.md, "Seeding at NAS scale", has the figures). With the writes here, the engine thread
// only encodes, and a file asked for twice before its turn is written once.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "daemon/util/atomic_file.hpp"

namespace seedd::util {

class FileWriter {
 public:
  using ErrorSink = FileErrorSink;

  /// Files are created with `mode`; failures go to `on_error` (from the writer thread).
  FileWriter(unsigned mode, ErrorSink on_error);
  /// Writes everything still queued, then stops the thread.
  ~FileWriter();
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  /// Queues `contents` for `path`; a later write or remove of the same path replaces it if it
  /// has not been written yet.
  void write(std::filesystem::path path, std::string contents);
  /// Queues the removal of `path` (ordered after every write queued before it).
  void remove(std::filesystem::path path);
  /// Blocks until everything queued before the call is on disk (or has failed).
  void flush();
  /// Blocks while `limit` operations or more are queued and not finished: producers that
  /// can wait (torrent.add) keep the queue, and the memory it holds, bounded.
  void wait_backlog_below(size_t limit);
  /// Operations queued and not finished yet.
  size_t backlog() const;

 private:
  struct Op {
    std::filesystem::path path;
    std::optional<std::string> contents;  // nullopt: remove
  };
  void run();
  void apply(std::deque<Op>& ops);

  unsigned m_mode;
  ErrorSink m_on_error;
  mutable std::mutex m_mutex;
  std::condition_variable m_wake, m_done;
  std::deque<Op> m_queue;
  uint64_t m_queued = 0;    // operations queued so far
  uint64_t m_finished = 0;  // of those, finished (in queue order)
  uint64_t m_since_trim = 0;  // operations since the writer last gave freed memory back
  bool m_stopping = false;
  std::thread m_thread;
};

}  // namespace seedd::util
