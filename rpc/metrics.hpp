#pragma once
// Prometheus text exposition (GET /metrics). RPC latency is recorded by the dispatcher; the rest
// is read from the engine's snapshot and the accountant when scraped.
#include <array>
#include <map>
#include <mutex>
#include <string>

#include "rpc/context.hpp"

namespace seedd::rpc {

/// Request counts and a latency histogram per method.
class RpcMetrics {
 public:
  static constexpr std::array<double, 9> kBucketsSeconds{0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};
  void observe(const std::string& method, double seconds, bool error);
  std::string render() const;

 private:
  struct Series {
    uint64_t count = 0, errors = 0;
    double sum = 0;
    std::array<uint64_t, kBucketsSeconds.size()> buckets{};
  };
  mutable std::mutex m_mutex;
  std::map<std::string, Series> m_series;  // only methods that exist in the table: bounded
};

/// The process-wide RPC metrics.
RpcMetrics& rpc_metrics();

/// The whole /metrics page.
std::string render_metrics(Context& ctx);

}  // namespace seedd::rpc
