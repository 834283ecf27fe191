#include "daemon/chain/bounty_cache.hpp"

#include <algorithm>

namespace seedd::chain {

namespace {

bool is_zero(const Address& a) {
  return std::all_of(a.begin(), a.end(), [](uint8_t b) { return b == 0; });
}

}  // namespace

BountyCache::BountyCache(Client& client, BountyCacheOptions options) : m_client(client), m_options(std::move(options)) {}

void BountyCache::refresh() {
  const uint64_t head = m_client.block_number();
  uint64_t from = m_options.deploy_block;
  {
    std::lock_guard lock(m_mutex);
    if (m_scanned_to) {
      const uint64_t next = *m_scanned_to + 1;
      from = std::max(m_options.deploy_block, next > m_options.rescan_blocks ? next - m_options.rescan_blocks : 0);
    }
  }

  if (from <= head) {
    LogFilter filter;
    filter.address = m_options.pool;
    filter.from_block = from;
    filter.to_block = head;
    filter.topics = {pool::bounty_funded_topic()};
    for_each_log_range(m_client, filter, m_options.log_range_blocks,
                       [&](const std::vector<Log>& logs, uint64_t, uint64_t to) {
                         std::vector<KnownBounty> found;
                         for (const auto& log : logs) {
                           // The filter names the pool, but the answer is the endpoint's word.
                           if (log.removed || log.address != m_options.pool) continue;
                           const auto e = pool::decode_bounty_funded(log);
                           if (!e) continue;
                           KnownBounty b;
                           b.id = e->bounty_id;
                           b.funded_block = log.block_number;
                           b.state.funder = e->funder;
                           b.state.infohash = e->infohash;
                           b.state.balance = e->amount;
                           b.state.rate_per_gib = e->rate_per_gib;
                           b.state.max_bytes_per_leecher = e->max_bytes_per_leecher;
                           b.state.pass_signer = e->pass_signer;
                           b.state.expires_at = e->expires_at;
                           found.push_back(b);
                         }
                         std::lock_guard lock(m_mutex);
                         for (auto& b : found) {
                           auto it = std::lower_bound(m_bounties.begin(), m_bounties.end(), b.id,
                                                      [](const KnownBounty& k, const uint256& id) { return k.id < id; });
                           if (it == m_bounties.end() || it->id != b.id) m_bounties.insert(it, std::move(b));
                         }
                         m_scanned_to = std::max(m_scanned_to.value_or(0), to);
                       });
  }

  // Live state: the logs tell what was funded, bounty() what is left (settlements, top-ups and
  // withdrawals change it without a BountyFunded log).
  for (const auto& b : all()) {
    CallRequest call;
    call.to = m_options.pool;
    call.data = pool::bounty_calldata(b.id);
    const pool::Bounty state = pool::decode_bounty(m_client.call(call));
    std::lock_guard lock(m_mutex);
    auto it = std::find_if(m_bounties.begin(), m_bounties.end(), [&](const KnownBounty& k) { return k.id == b.id; });
    if (it == m_bounties.end()) continue;
    if (is_zero(state.funder)) m_bounties.erase(it);
    else it->state = state;
  }
}

std::vector<KnownBounty> BountyCache::all() const {
  std::lock_guard lock(m_mutex);
  return m_bounties;
}

std::vector<KnownBounty> BountyCache::for_infohash(const crypto::InfoHash20& infohash) const {
  std::lock_guard lock(m_mutex);
  std::vector<KnownBounty> out;
  for (const auto& b : m_bounties)
    if (b.state.infohash == infohash) out.push_back(b);
  return out;
}

std::optional<KnownBounty> BountyCache::pick(const crypto::InfoHash20& infohash, uint64_t timestamp,
                                             const uint256& min_balance, const std::vector<Address>& pass_signers) const {
  std::optional<KnownBounty> best;
  for (const auto& b : for_infohash(infohash)) {
    const auto& s = b.state;
    if (timestamp > s.expires_at || s.balance < min_balance || s.balance == 0) continue;
    if (!is_zero(s.pass_signer) && std::find(pass_signers.begin(), pass_signers.end(), s.pass_signer) == pass_signers.end())
      continue;
    const bool better = !best || s.rate_per_gib > best->state.rate_per_gib ||
                        (s.rate_per_gib == best->state.rate_per_gib && s.balance > best->state.balance);
    if (better) best = b;  // ties on both keep the lower id: all() is ordered by id
  }
  return best;
}

std::optional<uint64_t> BountyCache::scanned_to() const {
  std::lock_guard lock(m_mutex);
  return m_scanned_to;
}

}  // namespace seedd::chain
