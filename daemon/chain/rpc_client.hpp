#pragma once
// An Ethereum JSON-RPC client (https://ethereum.org/en/developers/docs/apis/json-rpc/) for the
// calls settlement needs, over HTTP or HTTPS (http_transport.hpp). Every call blocks its caller
// until the answer or the timeout: run it on a chain worker thread, never on the alert loop or
// an RPC worker, so a slow or dead endpoint cannot stall seeding or the API.
//
// Failures are typed: TransportError (no answer: the endpoint is down, slow, or refused TLS),
// RpcError (the endpoint answered with a JSON-RPC error: its code, its message and data, and a
// contract's revert reason), BadResponse (an answer that is not what the method returns).
// Quantities cross the wire as hex (quantity.hpp); amounts stay uint256.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "daemon/chain/http_transport.hpp"
#include "daemon/chain/types.hpp"

namespace seedd::chain {

/// The endpoint answered with a JSON-RPC error object.
class RpcError : public std::runtime_error {
 public:
  RpcError(const std::string& message, std::string method, int code, std::string endpoint_message,
           std::vector<uint8_t> data, std::optional<std::string> revert_reason)
      : std::runtime_error(message),
        m_method(std::move(method)),
        m_code(code),
        m_endpoint_message(std::move(endpoint_message)),
        m_data(std::move(data)),
        m_revert_reason(std::move(revert_reason)) {}
  const std::string& method() const { return m_method; }
  int code() const { return m_code; }
  /// The endpoint's own message, cleaned and cut (clean_for_message).
  const std::string& endpoint_message() const { return m_endpoint_message; }
  /// The error's hex `data` (revert data for eth_call and eth_estimateGas), empty when none.
  const std::vector<uint8_t>& data() const { return m_data; }
  /// abi::decode_revert_reason of data(), cleaned.
  const std::optional<std::string>& revert_reason() const { return m_revert_reason; }

 private:
  std::string m_method;
  int m_code;
  std::string m_endpoint_message;
  std::vector<uint8_t> m_data;
  std::optional<std::string> m_revert_reason;
};

/// An answer that is not JSON-RPC 2.0 or not the method's result type.
class BadResponse : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The most blocks one eth_getLogs asks for in for_each_log_range unless told otherwise: under
/// the limits of the common hosted endpoints.
inline constexpr uint64_t kDefaultLogRangeBlocks = 2000;

struct ClientOptions {
  std::string url;  // http(s)://... ; may hold an API key: never logged whole (Endpoint::redacted)
  TransportOptions transport;
};

/// One endpoint's JSON-RPC calls. Thread-safe: calls do not share a connection.
class Client {
 public:
  /// Throws std::invalid_argument for a bad URL (the message does not repeat it).
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// "https://host:port" for messages.
  std::string endpoint() const;

  uint64_t chain_id();                                                          // eth_chainId
  uint64_t block_number();                                                      // eth_blockNumber
  std::vector<uint8_t> get_code(const Address& address, BlockTag block = {});   // eth_getCode
  uint256 get_balance(const Address& address, BlockTag block = {});             // eth_getBalance
  /// eth_getTransactionCount: the account's next nonce (pending_state() counts queued ones).
  uint64_t get_transaction_count(const Address& address, BlockTag block = {});
  /// eth_call: the return data. A revert is an RpcError with revert_reason().
  std::vector<uint8_t> call(const CallRequest& request, BlockTag block = {});
  /// eth_estimateGas. A revert is an RpcError with revert_reason().
  uint64_t estimate_gas(const CallRequest& request);
  /// eth_feeHistory over `block_count` blocks up to `newest`, with priority fees at
  /// `reward_percentiles` (0..100, ascending).
  FeeHistory fee_history(uint64_t block_count, BlockTag newest, const std::vector<double>& reward_percentiles);
  /// eth_getLogs for one range as the endpoint allows it (see for_each_log_range for long ones).
  std::vector<Log> get_logs(const LogFilter& filter);
  /// eth_sendRawTransaction: the hash the endpoint reports (which equals SignedTx::hash).
  Bytes32 send_raw_transaction(std::span<const uint8_t> raw);
  /// eth_getTransactionReceipt: std::nullopt while the transaction is not mined.
  std::optional<TxReceipt> get_transaction_receipt(const Bytes32& tx_hash);

  /// Any method: `params` is a JSON array; returns the `result`. For calls not wrapped above.
  nlohmann::json request(const std::string& method, const nlohmann::json& params);

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

/// What an eth_sendRawTransaction error means for a sender that rebroadcasts what it committed.
enum class SendErrorKind {
  AlreadyKnown,       // the node has this very transaction: it is pending, keep following it
  NonceTooLow,        // a transaction with this nonce was mined: look up the receipt by hash
  Underpriced,        // fees too low (under the base fee, or a replacement not 10% higher)
  InsufficientFunds,  // the account cannot pay for the gas
  Other,
};
/// Classifies `error` by the messages of geth, Erigon, Nethermind, Besu, Hardhat and anvil
/// (there is no standard error code for these).
SendErrorKind send_error_kind(const RpcError& error);

/// Reads the logs of filter.from_block..filter.to_block in ranges of at most `max_blocks`,
/// oldest first, calling `on_range(logs, from, to)` after each. When the endpoint refuses a range
/// (too many results, range too large: an RpcError), the range is halved and retried, down to
/// one block; transport errors are thrown at once. A throw from `on_range` stops the walk.
void for_each_log_range(Client& client, const LogFilter& filter, uint64_t max_blocks,
                        const std::function<void(const std::vector<Log>& logs, uint64_t from, uint64_t to)>& on_range);

}  // namespace seedd::chain
