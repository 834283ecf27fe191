#pragma once
// Ethereum contract ABI (https://docs.soliditylang.org/en/latest/abi-spec.html): the encoding of
// calls, return data and event logs, for the types the reward pool and ERC-20 need: uintN,
// bool, address, bytesN, bytes, string, T[] and tuples, nested to any depth.
//
// Types are written as canonical Solidity type strings ("(address,uint256)[]"); the same
// string gives the function selector, so a call's types and its selector cannot disagree.
// Decoding takes bytes from an endpoint and trusts none of them: every offset and length is
// bounds-checked, a word that does not fit its type (an address with high bits, a uint64 above
// 2^64, a bool of 2) is refused, and failures throw AbiError.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "daemon/crypto/types.hpp"

namespace seedd::chain::abi {

using crypto::uint256;

/// Malformed ABI data or a value that does not match its type; the message says where.
class AbiError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The shape of an ABI value.
struct Type {
  enum class Kind { Uint, Bool, Address, FixedBytes, Bytes, String, Array, Tuple };
  Kind kind = Kind::Uint;
  unsigned size = 256;        // bits for Uint (8..256), bytes for FixedBytes (1..32)
  std::vector<Type> members;  // Array: the element type; Tuple: the members

  /// True for bytes, string, T[] and tuples holding one of those: encoded behind an offset.
  bool is_dynamic() const;
  /// The canonical type string ("uint256", "(bytes20,address)[]").
  std::string canonical() const;
};

/// Parses a canonical type string: uint8..uint256, uint (= uint256), bool, address, bytes1..bytes32,
/// bytes, string, T[] and (T1,T2,...). Throws AbiError on anything else (int, fixed-size arrays
/// and functions are not needed by seedd).
Type parse_type(std::string_view text);

/// A value to encode or a decoded one. Unsigned integers and bools are uint256; address,
/// bytesN, bytes and string are their bytes (an address is 20); arrays and tuples are lists.
class Value {
 public:
  static Value uint(const uint256& value) { return Value(value); }
  static Value boolean(bool value) { return Value(uint256(value ? 1 : 0)); }
  static Value address(const crypto::Address& value) { return Value(std::vector<uint8_t>(value.begin(), value.end())); }
  /// bytesN (N = the size of `value`), bytes or string.
  static Value bytes(std::span<const uint8_t> value) { return Value(std::vector<uint8_t>(value.begin(), value.end())); }
  static Value string(std::string_view value) { return Value(std::vector<uint8_t>(value.begin(), value.end())); }
  /// A tuple's members or an array's items.
  static Value list(std::vector<Value> items) { return Value(std::move(items)); }

  /// The integer of a uint or bool; AbiError when this is not one.
  const uint256& as_uint() const;
  /// as_uint narrowed to 64 bits; AbiError when it does not fit.
  uint64_t as_u64() const;
  bool as_bool() const { return as_uint() != 0; }
  /// The bytes of an address, bytesN, bytes or string.
  const std::vector<uint8_t>& as_bytes() const;
  std::string as_string() const;
  crypto::Address as_address() const { return as_fixed<20>(); }
  template <size_t N>
  std::array<uint8_t, N> as_fixed() const {
    const auto& b = as_bytes();
    if (b.size() != N) throw AbiError("expected " + std::to_string(N) + " bytes, the value has " + std::to_string(b.size()));
    std::array<uint8_t, N> out{};
    for (size_t i = 0; i < N; ++i) out[i] = b[i];
    return out;
  }
  /// The members of a tuple or the items of an array.
  const std::vector<Value>& items() const;
  /// items().at(i), with an AbiError when out of range.
  const Value& operator[](size_t i) const;

 private:
  explicit Value(uint256 v) : m_value(std::move(v)) {}
  explicit Value(std::vector<uint8_t> v) : m_value(std::move(v)) {}
  explicit Value(std::vector<Value> v) : m_value(std::move(v)) {}

  std::variant<uint256, std::vector<uint8_t>, std::vector<Value>> m_value;
};

/// The ABI encoding of `value` as `type`. A top-level tuple is encoded as the argument list of a
/// call is (heads then tails, no outer offset). Throws AbiError when `value` does not fit `type`.
std::vector<uint8_t> encode(const Type& type, const Value& value);

/// Decodes `data` as `type` (the inverse of encode). Bytes after the value are ignored, as
/// Solidity does; anything out of bounds or out of range throws AbiError.
Value decode(const Type& type, std::span<const uint8_t> data);

/// A function's or an event's canonical signature split into its name and its parameter tuple:
/// "transfer(address,uint256)" -> {"transfer", (address,uint256)}.
struct Signature {
  std::string name;
  Type params;  // always a Tuple
};
Signature parse_signature(std::string_view signature);

/// First 4 bytes of keccak256 of the canonical function signature.
std::array<uint8_t, 4> selector(std::string_view signature);

/// keccak256 of the canonical event signature: an event log's topic 0.
crypto::Bytes32 event_topic(std::string_view signature);

/// Calldata: selector(signature) followed by the encoding of `args` as the signature's
/// parameter tuple.
std::vector<uint8_t> encode_call(std::string_view signature, const std::vector<Value>& args);

/// Decodes an event log: topics[0] must be event_topic(signature) (AbiError otherwise), each
/// parameter whose `indexed` flag is set comes from the next topic, the others from `data` as a
/// tuple. An indexed dynamic parameter is only its keccak256 in the log: it decodes as those 32
/// bytes. Returns the parameters in declaration order.
std::vector<Value> decode_event(std::string_view signature, const std::vector<bool>& indexed,
                                std::span<const crypto::Bytes32> topics, std::span<const uint8_t> data);

/// What a revert's data says, for an error message: the text of Error(string), "panic 0x11" for
/// Panic(uint256), "custom error 0x12345678" for any other selector; std::nullopt for empty or
/// malformed data. The text is the contract's: cut and clean it before logging.
std::optional<std::string> decode_revert_reason(std::span<const uint8_t> data);

}  // namespace seedd::chain::abi
