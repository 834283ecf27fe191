#include "daemon/chain/rpc_client.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <limits>

#include <nlohmann/json.hpp>

#include "daemon/chain/abi.hpp"
#include "daemon/chain/quantity.hpp"
#include "daemon/crypto/hex.hpp"
#include "daemon/util/json_input.hpp"

namespace seedd::chain {

using json = nlohmann::json;

namespace {

// ---- JSON <-> chain values -------------------------------------------------------------------

std::string hex(std::span<const uint8_t> bytes) { return crypto::to_hex(bytes); }

std::string tag_text(const BlockTag& tag) {
  if (tag.number) return to_quantity(*tag.number);
  return tag.pending ? "pending" : "latest";
}

json call_json(const CallRequest& r) {
  json o = json::object();
  if (r.from) o["from"] = hex(*r.from);
  o["to"] = hex(r.to);
  o["data"] = hex(r.data);
  if (r.value != 0) o["value"] = to_quantity(r.value);
  if (r.gas) o["gas"] = to_quantity(*r.gas);
  return o;
}

// Readers of a result: each throws BadResponse naming the method and the field.
class Reader {
 public:
  explicit Reader(std::string method) : m_method(std::move(method)) {}

  [[noreturn]] void fail(const std::string& what, const json& value) const {
    throw BadResponse(m_method + ": " + what + " is not what the method returns: " +
                      clean_for_message(value.dump(), 120));
  }

  const json& field(const json& object, const char* name) const {
    if (!object.is_object()) fail("the result", object);
    auto it = object.find(name);
    if (it == object.end()) fail(std::string("a missing field \"") + name + "\"", object);
    return *it;
  }

  std::string text(const json& v, const std::string& what) const {
    if (!v.is_string()) fail(what, v);
    return v.get<std::string>();
  }

  uint256 quantity(const json& v, const std::string& what) const {
    try {
      return parse_quantity(text(v, what), what);
    } catch (const ValueError&) {
      fail(what, v);
    }
  }

  uint64_t u64(const json& v, const std::string& what) const {
    const uint256 n = quantity(v, what);
    if (n > std::numeric_limits<uint64_t>::max()) fail(what, v);
    return static_cast<uint64_t>(n);
  }

  std::vector<uint8_t> data(const json& v, const std::string& what) const {
    const std::string t = text(v, what);
    if (t.size() < 2 || t[0] != '0' || t[1] != 'x') fail(what, v);
    auto bytes = crypto::from_hex(t);
    if (!bytes) fail(what, v);
    return std::move(*bytes);
  }

  template <size_t N>
  std::array<uint8_t, N> fixed(const json& v, const std::string& what) const {
    const auto bytes = data(v, what);
    if (bytes.size() != N) fail(what, v);
    std::array<uint8_t, N> out{};
    std::copy(bytes.begin(), bytes.end(), out.begin());
    return out;
  }

  Log log(const json& v) const {
    Log l;
    l.address = fixed<20>(field(v, "address"), "a log's address");
    const json& topics = field(v, "topics");
    if (!topics.is_array()) fail("a log's topics", topics);
    for (const auto& t : topics) l.topics.push_back(fixed<32>(t, "a log topic"));
    l.data = data(field(v, "data"), "a log's data");
    // Pending logs have null positions; getLogs over mined blocks never returns them.
    if (const auto& n = field(v, "blockNumber"); !n.is_null()) l.block_number = u64(n, "a log's blockNumber");
    if (const auto& h = field(v, "blockHash"); !h.is_null()) l.block_hash = fixed<32>(h, "a log's blockHash");
    if (const auto& h = field(v, "transactionHash"); !h.is_null()) l.transaction_hash = fixed<32>(h, "a log's transactionHash");
    if (const auto& i = field(v, "logIndex"); !i.is_null()) l.log_index = u64(i, "a log's logIndex");
    if (auto it = v.find("removed"); it != v.end() && it->is_boolean()) l.removed = it->get<bool>();
    return l;
  }

  std::vector<Log> logs(const json& v) const {
    if (!v.is_array()) fail("the logs", v);
    std::vector<Log> out;
    out.reserve(v.size());
    for (const auto& l : v) out.push_back(log(l));
    return out;
  }

 private:
  std::string m_method;
};

}  // namespace

struct Client::Impl {
  explicit Impl(ClientOptions o) : transport(o.url, std::move(o.transport)) {}
  HttpTransport transport;
  std::atomic<uint64_t> next_id{1};
};

Client::Client(ClientOptions options) : m_impl(std::make_unique<Impl>(std::move(options))) {}
Client::~Client() = default;

std::string Client::endpoint() const { return m_impl->transport.endpoint().redacted(); }

json Client::request(const std::string& method, const json& params) {
  const uint64_t id = m_impl->next_id.fetch_add(1);
  const json req = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
  const auto answer = m_impl->transport.post(req.dump());
  const std::string where = endpoint();

  // The endpoint's answer is outside input like any request body: bounded in depth and values.
  util::JsonInput parsed = util::parse_untrusted_json(answer.body);
  if (!parsed.ok()) {
    if (answer.status != 200)
      throw TransportError(method + ": HTTP " + std::to_string(answer.status) + " from " + where + ": " +
                               clean_for_message(answer.body),
                           false);
    throw BadResponse(method + ": the answer from " + where + " " + util::json_input_problem(parsed));
  }
  json doc = std::move(parsed.value);
  if (!doc.is_object()) throw BadResponse(method + ": the answer from " + where + " is not a JSON-RPC response");

  if (auto err = doc.find("error"); err != doc.end() && !err->is_null()) {
    int code = 0;
    std::string message;
    std::vector<uint8_t> data;
    if (err->is_object()) {
      if (auto c = err->find("code"); c != err->end() && c->is_number_integer()) code = c->get<int>();
      if (auto m = err->find("message"); m != err->end() && m->is_string()) message = clean_for_message(m->get<std::string>());
      // geth puts revert data in `data` as hex; some nodes nest it one level down.
      const json* d = nullptr;
      if (auto it = err->find("data"); it != err->end()) d = &*it;
      if (d && d->is_object() && d->contains("data")) d = &(*d)["data"];
      if (d && d->is_string()) {
        if (auto bytes = crypto::from_hex(d->get<std::string>())) data = std::move(*bytes);
      }
    } else {
      message = clean_for_message(err->dump());
    }
    std::optional<std::string> reason;
    if (auto r = abi::decode_revert_reason(data)) reason = clean_for_message(*r);
    std::string text = method + " failed at " + where + ": " + (message.empty() ? "(no message)" : message) + " (code " +
                       std::to_string(code) + ")";
    if (reason && message.find(*reason) == std::string::npos) text += "; revert reason: " + *reason;
    throw RpcError(text, method, code, message, std::move(data), std::move(reason));
  }
  if (answer.status != 200)
    throw TransportError(method + ": HTTP " + std::to_string(answer.status) + " from " + where + ": " + clean_for_message(answer.body),
                         false);
  if (auto it = doc.find("id"); it == doc.end() || !it->is_number_unsigned() || it->get<uint64_t>() != id)
    throw BadResponse(method + ": the answer from " + where + " carries another request's id");
  auto result = doc.find("result");
  if (result == doc.end()) throw BadResponse(method + ": the answer from " + where + " has neither result nor error");
  return std::move(*result);
}

uint64_t Client::chain_id() {
  return Reader("eth_chainId").u64(request("eth_chainId", json::array()), "the chain id");
}

uint64_t Client::block_number() {
  return Reader("eth_blockNumber").u64(request("eth_blockNumber", json::array()), "the block number");
}

std::vector<uint8_t> Client::get_code(const Address& address, BlockTag block) {
  return Reader("eth_getCode").data(request("eth_getCode", json::array({hex(address), tag_text(block)})), "the code");
}

uint256 Client::get_balance(const Address& address, BlockTag block) {
  return Reader("eth_getBalance").quantity(request("eth_getBalance", json::array({hex(address), tag_text(block)})), "the balance");
}

uint64_t Client::get_transaction_count(const Address& address, BlockTag block) {
  return Reader("eth_getTransactionCount")
      .u64(request("eth_getTransactionCount", json::array({hex(address), tag_text(block)})), "the transaction count");
}

std::vector<uint8_t> Client::call(const CallRequest& r, BlockTag block) {
  return Reader("eth_call").data(request("eth_call", json::array({call_json(r), tag_text(block)})), "the return data");
}

uint64_t Client::estimate_gas(const CallRequest& r) {
  return Reader("eth_estimateGas").u64(request("eth_estimateGas", json::array({call_json(r)})), "the gas estimate");
}

FeeHistory Client::fee_history(uint64_t block_count, BlockTag newest, const std::vector<double>& reward_percentiles) {
  const Reader rd("eth_feeHistory");
  const json result =
      request("eth_feeHistory", json::array({to_quantity(block_count), tag_text(newest), json(reward_percentiles)}));
  FeeHistory h;
  h.oldest_block = rd.u64(rd.field(result, "oldestBlock"), "oldestBlock");
  const json& base = rd.field(result, "baseFeePerGas");
  if (!base.is_array()) rd.fail("baseFeePerGas", base);
  for (const auto& b : base) h.base_fee_per_gas.push_back(rd.quantity(b, "a base fee"));
  if (auto it = result.find("reward"); it != result.end() && !it->is_null()) {
    if (!it->is_array()) rd.fail("reward", *it);
    for (const auto& block : *it) {
      if (!block.is_array()) rd.fail("reward", block);
      auto& row = h.reward.emplace_back();
      for (const auto& r : block) row.push_back(rd.quantity(r, "a priority fee"));
    }
  }
  return h;
}

std::vector<Log> Client::get_logs(const LogFilter& f) {
  json topics = json::array();
  for (const auto& t : f.topics) topics.push_back(t ? json(hex(*t)) : json(nullptr));
  const json filter = {{"address", hex(f.address)},
                       {"fromBlock", to_quantity(f.from_block)},
                       {"toBlock", to_quantity(f.to_block)},
                       {"topics", topics}};
  return Reader("eth_getLogs").logs(request("eth_getLogs", json::array({filter})));
}

Bytes32 Client::send_raw_transaction(std::span<const uint8_t> raw) {
  return Reader("eth_sendRawTransaction").fixed<32>(request("eth_sendRawTransaction", json::array({hex(raw)})), "the transaction hash");
}

std::optional<TxReceipt> Client::get_transaction_receipt(const Bytes32& tx_hash) {
  const Reader rd("eth_getTransactionReceipt");
  const json v = request("eth_getTransactionReceipt", json::array({hex(tx_hash)}));
  if (v.is_null()) return std::nullopt;
  TxReceipt r;
  r.transaction_hash = rd.fixed<32>(rd.field(v, "transactionHash"), "transactionHash");
  r.block_number = rd.u64(rd.field(v, "blockNumber"), "blockNumber");
  r.block_hash = rd.fixed<32>(rd.field(v, "blockHash"), "blockHash");
  const uint256 status = rd.quantity(rd.field(v, "status"), "status");
  if (status > 1) rd.fail("status", rd.field(v, "status"));
  r.success = status == 1;
  r.gas_used = rd.u64(rd.field(v, "gasUsed"), "gasUsed");
  if (auto it = v.find("effectiveGasPrice"); it != v.end() && !it->is_null())
    r.effective_gas_price = rd.quantity(*it, "effectiveGasPrice");
  if (auto it = v.find("contractAddress"); it != v.end() && !it->is_null())
    r.contract_address = rd.fixed<20>(*it, "contractAddress");
  r.logs = rd.logs(rd.field(v, "logs"));
  return r;
}

SendErrorKind send_error_kind(const RpcError& error) {
  std::string m = error.endpoint_message();
  std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto has = [&](std::string_view needle) { return m.find(needle) != std::string::npos; };
  if (has("already known") || has("known transaction") || has("alreadyknown") || has("already imported"))
    return SendErrorKind::AlreadyKnown;
  if (has("nonce too low") || has("oldnonce") || has("nonce has already been used")) return SendErrorKind::NonceTooLow;
  if (has("insufficient funds") || has("insufficientfunds") || has("enough funds")) return SendErrorKind::InsufficientFunds;
  if (has("underpriced") || has("less than block base fee") || has("fee too low") || has("price too low") ||
      has("feetoolow"))
    return SendErrorKind::Underpriced;
  return SendErrorKind::Other;
}

void for_each_log_range(Client& client, const LogFilter& filter, uint64_t max_blocks,
                        const std::function<void(const std::vector<Log>&, uint64_t, uint64_t)>& on_range) {
  max_blocks = std::max<uint64_t>(max_blocks, 1);
  uint64_t span = max_blocks;
  uint64_t from = filter.from_block;
  while (from <= filter.to_block) {
    const uint64_t to = filter.to_block - from < span ? filter.to_block : from + span - 1;
    LogFilter part = filter;
    part.from_block = from;
    part.to_block = to;
    std::vector<Log> logs;
    try {
      logs = client.get_logs(part);
    } catch (const RpcError&) {
      if (to == from) throw;  // one block the endpoint will not give: nothing smaller to try
      span = (to - from + 1) / 2;
      continue;
    }
    on_range(logs, from, to);
    if (to == std::numeric_limits<uint64_t>::max()) break;
    from = to + 1;
    span = span > max_blocks / 2 ? max_blocks : span * 2;  // back up towards the full range after a refusal
  }
}

}  // namespace seedd::chain
