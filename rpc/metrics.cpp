#include "rpc/metrics.hpp"

#include <array>
#include <chrono>
#include <map>
#include <sstream>
#include <string_view>

#include "daemon/accountant/accountant.hpp"
#include "daemon/chain/settler.hpp"
#include "daemon/crypto/hex.hpp"
#include "daemon/engine/engine.hpp"

namespace seedd::rpc {

RpcMetrics& rpc_metrics() {
  static RpcMetrics metrics;
  return metrics;
}

void RpcMetrics::observe(const std::string& method, double seconds, bool error) {
  std::lock_guard lock(m_mutex);
  auto& s = m_series[method];
  ++s.count;
  if (error) ++s.errors;
  s.sum += seconds;
  for (size_t i = 0; i < kBucketsSeconds.size(); ++i)
    if (seconds <= kBucketsSeconds[i]) ++s.buckets[i];
}

std::string RpcMetrics::render() const {
  std::ostringstream o;
  std::lock_guard lock(m_mutex);
  o << "# HELP seedd_rpc_requests_total JSON-RPC requests handled, by method.\n"
    << "# TYPE seedd_rpc_requests_total counter\n";
  for (const auto& [m, s] : m_series) o << "seedd_rpc_requests_total{method=\"" << m << "\"} " << s.count << "\n";
  o << "# HELP seedd_rpc_errors_total JSON-RPC requests answered with an error, by method.\n"
    << "# TYPE seedd_rpc_errors_total counter\n";
  for (const auto& [m, s] : m_series) o << "seedd_rpc_errors_total{method=\"" << m << "\"} " << s.errors << "\n";
  o << "# HELP seedd_rpc_request_duration_seconds Time to handle a JSON-RPC request, by method.\n"
    << "# TYPE seedd_rpc_request_duration_seconds histogram\n";
  for (const auto& [m, s] : m_series) {
    for (size_t i = 0; i < kBucketsSeconds.size(); ++i)
      o << "seedd_rpc_request_duration_seconds_bucket{method=\"" << m << "\",le=\"" << kBucketsSeconds[i] << "\"} "
        << s.buckets[i] << "\n";
    o << "seedd_rpc_request_duration_seconds_bucket{method=\"" << m << "\",le=\"+Inf\"} " << s.count << "\n"
      << "seedd_rpc_request_duration_seconds_sum{method=\"" << m << "\"} " << s.sum << "\n"
      << "seedd_rpc_request_duration_seconds_count{method=\"" << m << "\"} " << s.count << "\n";
  }
  return o.str();
}

namespace {

void gauge(std::ostringstream& o, const char* name, const char* help, double value, const char* type = "gauge") {
  o << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n" << name << " " << value << "\n";
}

}  // namespace

std::string render_metrics(Context& ctx) {
  std::ostringstream o;
  o.precision(15);
  o << rpc_metrics().render();
  std::array<int, kTorrentStates.size()> counts{};
  uint64_t verified = 0, unverified = 0;
  ctx.engine->visit([&](const TorrentStatus& t) {  // no copy of 10,000 torrents per scrape
    ++counts[static_cast<size_t>(t.state)];
    if (ctx.accountant) {
      const auto b = ctx.accountant->books(t.info_hash.bytes());
      verified += b.verified_bytes;
      unverified += b.unverified_bytes;
    }
  });
  // Every state, 0 or not, but "unknown" only when a torrent is in it; in the order of names.
  std::map<std::string_view, int> by_state;
  for (size_t i = 0; i < counts.size(); ++i)
    if (kTorrentStates[i] != "unknown" || counts[i]) by_state[kTorrentStates[i]] = counts[i];
  o << "# HELP seedd_torrents Torrents by state.\n# TYPE seedd_torrents gauge\n";
  for (const auto& [state, n] : by_state) o << "seedd_torrents{state=\"" << state << "\"} " << n << "\n";
  const auto s = ctx.engine->stats();
  gauge(o, "seedd_upload_rate_bytes", "Payload upload rate, bytes per second.", static_cast<double>(s.upload_rate));
  gauge(o, "seedd_download_rate_bytes", "Payload download rate, bytes per second.", static_cast<double>(s.download_rate));
  gauge(o, "seedd_peers", "Connected peers.", static_cast<double>(s.num_peers));
  o << "# HELP seedd_peer_guard_refusals_total Peers refused by the guards in front of libtorrent's known remote "
       "bugs, by reason (docs/operations.md, Threat model).\n# TYPE seedd_peer_guard_refusals_total counter\n"
    << "seedd_peer_guard_refusals_total{reason=\"v2_bit_without_metadata\"} " << s.peers_refused_v2_bit << "\n"
    << "seedd_peer_guard_refusals_total{reason=\"allowed_fast_flood\"} " << s.peers_refused_allowed_fast << "\n";
  gauge(o, "seedd_uploaded_bytes", "All-time payload bytes uploaded by the torrents present.",
        static_cast<double>(s.uploaded_bytes));
  gauge(o, "seedd_uploaded_verified_bytes", "All-time upload backed by accepted receipts, torrents present.",
        static_cast<double>(verified));
  gauge(o, "seedd_uploaded_unverified_bytes", "All-time upload to peers without the receipt extension, torrents present.",
        static_cast<double>(unverified));
  if (ctx.accountant) {
    gauge(o, "seedd_receipts_accepted_total", "Receipts accepted and committed since start.",
          static_cast<double>(ctx.accountant->receipts_accepted()), "counter");
    gauge(o, "seedd_receipts_superseded_total",
          "Receipts not verified since start because a newer one of the same channel arrived in the same batch.",
          static_cast<double>(ctx.accountant->receipts_superseded()), "counter");
    gauge(o, "seedd_ledger_commit_failures_total",
          "Ledger transactions (receipt batches, claims) that failed to commit since start: a full or failing disk.",
          static_cast<double>(ctx.accountant->ledger_commit_failures()), "counter");
    const auto summary = ctx.accountant->ledger().summary(0, INT64_MAX / 2, ctx.accountant->policy().default_rate);
    o << "# HELP seedd_receipts_rejected_total Receipts, and passes shown in handshakes (pass_*), rejected, by reason (all time, from the ledger).\n"
      << "# TYPE seedd_receipts_rejected_total counter\n";
    for (const auto& [reason, n] : summary.rejected)
      o << "seedd_receipts_rejected_total{reason=\"" << reason << "\"} " << n << "\n";
  }
  if (ctx.settler) {
    // Token amounts are uint256: printed as exact decimal integers (a valid Prometheus value),
    // not through a double.
    o << "# HELP seedd_tokens_paid_total Token base units paid to this node's claims by confirmed settlements.\n"
      << "# TYPE seedd_tokens_paid_total counter\n"
      << "seedd_tokens_paid_total " << crypto::to_decimal(ctx.settler->tokens_paid()) << "\n";
    gauge(o, "seedd_settlements_pending", "Settlement transactions committed and not mined yet.",
          static_cast<double>(ctx.settler->settlements_pending()));
  }
  const auto uptime = std::chrono::duration<double>(std::chrono::steady_clock::now() - ctx.node->started).count();
  gauge(o, "seedd_uptime_seconds", "Seconds since seedd started.", uptime);
  return o.str();
}

}  // namespace seedd::rpc
