#include "daemon/chain/abi.hpp"

#include <algorithm>
#include <limits>

#include "daemon/chain/quantity.hpp"
#include "daemon/crypto/hex.hpp"
#include "daemon/crypto/keccak.hpp"

namespace seedd::chain::abi {

namespace {

constexpr size_t kWord = 32;
/// Type strings come from seedd's own code, but a bound keeps a typo from recursing forever.
constexpr size_t kMaxTypeDepth = 16;

// ---- type strings ----------------------------------------------------------------------------

class TypeParser {
 public:
  explicit TypeParser(std::string_view text) : m_text(text) {}

  Type parse_all() {
    Type t = parse(0);
    if (m_pos != m_text.size()) fail("unexpected text");
    return t;
  }

  Type parse(size_t depth) {
    if (depth > kMaxTypeDepth) fail("nested too deep");
    Type t;
    if (peek() == '(') {
      ++m_pos;
      t.kind = Type::Kind::Tuple;
      if (peek() == ')') {
        ++m_pos;
      } else {
        for (;;) {
          t.members.push_back(parse(depth + 1));
          if (peek() == ',') {
            ++m_pos;
            continue;
          }
          if (peek() == ')') {
            ++m_pos;
            break;
          }
          fail("expected ',' or ')'");
        }
      }
    } else {
      t = parse_elementary();
    }
    while (m_text.substr(m_pos, 2) == "[]") {
      m_pos += 2;
      Type array;
      array.kind = Type::Kind::Array;
      array.members.push_back(std::move(t));
      t = std::move(array);
    }
    return t;
  }

 private:
  char peek() const { return m_pos < m_text.size() ? m_text[m_pos] : '\0'; }

  [[noreturn]] void fail(const std::string& why) const {
    throw AbiError("bad ABI type \"" + std::string(m_text) + "\" at " + std::to_string(m_pos) + ": " + why);
  }

  Type parse_elementary() {
    size_t end = m_pos;
    while (end < m_text.size() && ((m_text[end] >= 'a' && m_text[end] <= 'z') || (m_text[end] >= '0' && m_text[end] <= '9'))) ++end;
    const std::string_view word = m_text.substr(m_pos, end - m_pos);
    Type t;
    auto number = [&](std::string_view digits) -> unsigned {
      if (digits.empty() || digits.size() > 3 || digits[0] == '0') fail("bad size in \"" + std::string(word) + "\"");
      unsigned n = 0;
      for (char c : digits) {
        if (c < '0' || c > '9') fail("bad size in \"" + std::string(word) + "\"");
        n = n * 10 + static_cast<unsigned>(c - '0');
      }
      return n;
    };
    if (word == "uint") {
      t.kind = Type::Kind::Uint;
      t.size = 256;
    } else if (word.starts_with("uint")) {
      t.kind = Type::Kind::Uint;
      t.size = number(word.substr(4));
      if (t.size % 8 != 0 || t.size > 256) fail("bad size in \"" + std::string(word) + "\"");
    } else if (word == "bool") {
      t.kind = Type::Kind::Bool;
    } else if (word == "address") {
      t.kind = Type::Kind::Address;
    } else if (word == "string") {
      t.kind = Type::Kind::String;
    } else if (word == "bytes") {
      t.kind = Type::Kind::Bytes;
    } else if (word.starts_with("bytes")) {
      t.kind = Type::Kind::FixedBytes;
      t.size = number(word.substr(5));
      if (t.size > 32) fail("bad size in \"" + std::string(word) + "\"");
    } else {
      fail("unsupported type \"" + std::string(word) + "\"");
    }
    m_pos = end;
    return t;
  }

  std::string_view m_text;
  size_t m_pos = 0;
};

// ---- encoding --------------------------------------------------------------------------------

size_t static_size(const Type& t) {
  if (t.kind != Type::Kind::Tuple) return kWord;
  size_t n = 0;
  for (const auto& m : t.members) n += static_size(m);
  return n;
}

size_t head_size(const Type& t) { return t.is_dynamic() ? kWord : static_size(t); }

void append_word(std::vector<uint8_t>& out, const crypto::Bytes32& word) { out.insert(out.end(), word.begin(), word.end()); }

void append_uint(std::vector<uint8_t>& out, size_t value) { append_word(out, to_word(uint256(value))); }

void append_padded(std::vector<uint8_t>& out, std::span<const uint8_t> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
  out.insert(out.end(), (kWord - bytes.size() % kWord) % kWord, uint8_t{0});
}

void encode_into(const Type& t, const Value& v, std::vector<uint8_t>& out);

void encode_sequence(const std::vector<const Type*>& types, const std::vector<Value>& values, std::vector<uint8_t>& out) {
  size_t heads = 0;
  for (const Type* t : types) heads += head_size(*t);
  std::vector<uint8_t> tail;
  for (size_t i = 0; i < types.size(); ++i) {
    if (types[i]->is_dynamic()) {
      append_uint(out, heads + tail.size());
      encode_into(*types[i], values[i], tail);
    } else {
      encode_into(*types[i], values[i], out);
    }
  }
  out.insert(out.end(), tail.begin(), tail.end());
}

void encode_into(const Type& t, const Value& v, std::vector<uint8_t>& out) {
  switch (t.kind) {
    case Type::Kind::Uint: {
      const uint256& n = v.as_uint();
      if (t.size < 256 && (n >> t.size) != 0) throw AbiError("value " + crypto::to_decimal(n) + " does not fit " + t.canonical());
      append_word(out, to_word(n));
      return;
    }
    case Type::Kind::Bool:
      if (v.as_uint() > 1) throw AbiError("a bool must be 0 or 1");
      append_word(out, to_word(v.as_uint()));
      return;
    case Type::Kind::Address: {
      const auto& b = v.as_bytes();
      if (b.size() != 20) throw AbiError("an address has 20 bytes, not " + std::to_string(b.size()));
      out.insert(out.end(), 12, uint8_t{0});
      out.insert(out.end(), b.begin(), b.end());
      return;
    }
    case Type::Kind::FixedBytes: {
      const auto& b = v.as_bytes();
      if (b.size() != t.size) throw AbiError(t.canonical() + " needs " + std::to_string(t.size) + " bytes, not " + std::to_string(b.size()));
      append_padded(out, b);
      return;
    }
    case Type::Kind::Bytes:
    case Type::Kind::String: {
      const auto& b = v.as_bytes();
      append_uint(out, b.size());
      append_padded(out, b);
      return;
    }
    case Type::Kind::Array: {
      const auto& items = v.items();
      append_uint(out, items.size());
      encode_sequence(std::vector<const Type*>(items.size(), &t.members[0]), items, out);
      return;
    }
    case Type::Kind::Tuple: {
      const auto& items = v.items();
      if (items.size() != t.members.size())
        throw AbiError(t.canonical() + " has " + std::to_string(t.members.size()) + " members, the value " + std::to_string(items.size()));
      std::vector<const Type*> types;
      for (const auto& m : t.members) types.push_back(&m);
      encode_sequence(types, items, out);
      return;
    }
  }
}

// ---- decoding --------------------------------------------------------------------------------

class Decoder {
 public:
  // Offsets may point anywhere, several at the same place: a few kilobytes of T[][] whose items
  // all alias one long array would decode to millions of values. A valid encoding spends one
  // word or more per value, so the values decoded are bounded by the words there are.
  explicit Decoder(std::span<const uint8_t> data) : m_data(data), m_budget(data.size() / kWord * 2 + 8) {}

  Value value_at(const Type& t, size_t pos) {
    if (m_budget == 0) fail(pos, "more values than the data holds (offsets that alias each other)");
    --m_budget;
    switch (t.kind) {
      case Type::Kind::Uint: {
        const uint256 n = from_be_bytes(word(pos));
        if (t.size < 256 && (n >> t.size) != 0) fail(pos, "value does not fit " + t.canonical());
        return Value::uint(n);
      }
      case Type::Kind::Bool: {
        const uint256 n = from_be_bytes(word(pos));
        if (n > 1) fail(pos, "a bool that is neither 0 nor 1");
        return Value::uint(n);
      }
      case Type::Kind::Address: {
        const auto w = word(pos);
        for (size_t i = 0; i < 12; ++i)
          if (w[i] != 0) fail(pos, "an address with high bits set");
        return Value::bytes(w.subspan(12));
      }
      case Type::Kind::FixedBytes: {
        const auto w = word(pos);
        for (size_t i = t.size; i < kWord; ++i)
          if (w[i] != 0) fail(pos, t.canonical() + " with non-zero padding");
        return Value::bytes(w.subspan(0, t.size));
      }
      case Type::Kind::Bytes:
      case Type::Kind::String: {
        const size_t length = size_at(pos);
        if (length > m_data.size() - pos - kWord) fail(pos, "a length of " + std::to_string(length) + " past the end of the data");
        spend(length / kWord, pos);
        return Value::bytes(m_data.subspan(pos + kWord, length));
      }
      case Type::Kind::Array: {
        const size_t count = size_at(pos);
        const Type& element = t.members[0];
        // Each item takes at least one word of head: a count the data cannot hold is refused
        // before anything is allocated for it.
        if (count > (m_data.size() - pos - kWord) / std::max<size_t>(head_size(element), 1))
          fail(pos, "an array of " + std::to_string(count) + " items past the end of the data");
        spend(count, pos);  // before the items are allocated
        return Value::list(sequence(std::vector<const Type*>(count, &element), pos + kWord));
      }
      case Type::Kind::Tuple: {
        std::vector<const Type*> types;
        for (const auto& m : t.members) types.push_back(&m);
        return Value::list(sequence(types, pos));
      }
    }
    fail(pos, "unknown type");
  }

 private:
  std::vector<Value> sequence(const std::vector<const Type*>& types, size_t base) {
    std::vector<Value> out;
    out.reserve(types.size());
    size_t head = base;
    for (const Type* t : types) {
      if (t->is_dynamic()) {
        const size_t offset = size_at(head);
        if (offset > m_data.size() - base) fail(head, "an offset past the end of the data");
        out.push_back(value_at(*t, base + offset));
      } else {
        out.push_back(value_at(*t, head));
      }
      head += head_size(*t);
    }
    return out;
  }

  std::span<const uint8_t> word(size_t pos) {
    if (pos > m_data.size() || m_data.size() - pos < kWord) fail(pos, "data ends inside a word");
    return m_data.subspan(pos, kWord);
  }

  size_t size_at(size_t pos) {
    const uint256 n = from_be_bytes(word(pos));
    if (n > m_data.size()) fail(pos, "an offset or length of " + crypto::to_decimal(n) + " beyond the " + std::to_string(m_data.size()) + " bytes of data");
    return static_cast<size_t>(n);
  }

  void spend(size_t words, size_t pos) {
    if (words > m_budget) fail(pos, "more values than the data holds (offsets that alias each other)");
    m_budget -= words;
  }

  [[noreturn]] void fail(size_t pos, const std::string& why) const {
    throw AbiError("malformed ABI data at byte " + std::to_string(pos) + ": " + why);
  }

  std::span<const uint8_t> m_data;
  size_t m_budget;  // values (and words of bytes) still allowed
};

}  // namespace

// ---- Type and Value ------------------------------------------------------------------------------

bool Type::is_dynamic() const {
  switch (kind) {
    case Kind::Bytes:
    case Kind::String:
    case Kind::Array:
      return true;
    case Kind::Tuple:
      for (const auto& m : members)
        if (m.is_dynamic()) return true;
      return false;
    default:
      return false;
  }
}

std::string Type::canonical() const {
  switch (kind) {
    case Kind::Uint: return "uint" + std::to_string(size);
    case Kind::Bool: return "bool";
    case Kind::Address: return "address";
    case Kind::FixedBytes: return "bytes" + std::to_string(size);
    case Kind::Bytes: return "bytes";
    case Kind::String: return "string";
    case Kind::Array: return members[0].canonical() + "[]";
    case Kind::Tuple: {
      std::string out = "(";
      for (size_t i = 0; i < members.size(); ++i) out += (i ? "," : "") + members[i].canonical();
      return out + ")";
    }
  }
  return "?";
}

Type parse_type(std::string_view text) { return TypeParser(text).parse_all(); }

const uint256& Value::as_uint() const {
  if (const auto* v = std::get_if<uint256>(&m_value)) return *v;
  throw AbiError("expected an integer value");
}

uint64_t Value::as_u64() const {
  const uint256& v = as_uint();
  if (v > std::numeric_limits<uint64_t>::max()) throw AbiError("value " + crypto::to_decimal(v) + " does not fit in 64 bits");
  return static_cast<uint64_t>(v);
}

const std::vector<uint8_t>& Value::as_bytes() const {
  if (const auto* v = std::get_if<std::vector<uint8_t>>(&m_value)) return *v;
  throw AbiError("expected a bytes value");
}

std::string Value::as_string() const {
  const auto& b = as_bytes();
  return {b.begin(), b.end()};
}

const std::vector<Value>& Value::items() const {
  if (const auto* v = std::get_if<std::vector<Value>>(&m_value)) return *v;
  throw AbiError("expected a tuple or an array");
}

const Value& Value::operator[](size_t i) const {
  const auto& all = items();
  if (i >= all.size()) throw AbiError("member " + std::to_string(i) + " of a list of " + std::to_string(all.size()));
  return all[i];
}

// ---- entry points ----------------------------------------------------------------------------

std::vector<uint8_t> encode(const Type& type, const Value& value) {
  std::vector<uint8_t> out;
  if (type.kind == Type::Kind::Tuple) {
    encode_into(type, value, out);
  } else {
    // A lone value is a one-member argument list: a dynamic one sits behind its offset.
    Type tuple;
    tuple.kind = Type::Kind::Tuple;
    tuple.members.push_back(type);
    encode_into(tuple, Value::list({value}), out);
  }
  return out;
}

Value decode(const Type& type, std::span<const uint8_t> data) {
  Decoder d(data);
  if (type.kind == Type::Kind::Tuple) return d.value_at(type, 0);
  Type tuple;
  tuple.kind = Type::Kind::Tuple;
  tuple.members.push_back(type);
  return d.value_at(tuple, 0)[0];
}

Signature parse_signature(std::string_view signature) {
  const size_t paren = signature.find('(');
  if (paren == 0 || paren == std::string_view::npos) throw AbiError("bad signature \"" + std::string(signature) + "\"");
  Signature out{std::string(signature.substr(0, paren)), parse_type(signature.substr(paren))};
  if (out.params.kind != Type::Kind::Tuple) throw AbiError("bad signature \"" + std::string(signature) + "\"");
  if (out.params.canonical() != signature.substr(paren))
    throw AbiError("signature \"" + std::string(signature) + "\" is not canonical (" + out.params.canonical() + ")");
  return out;
}

std::array<uint8_t, 4> selector(std::string_view signature) {
  parse_signature(signature);  // a non-canonical signature would hash to another function
  const crypto::Bytes32 h = crypto::keccak256(signature);
  return {h[0], h[1], h[2], h[3]};
}

crypto::Bytes32 event_topic(std::string_view signature) {
  parse_signature(signature);
  return crypto::keccak256(signature);
}

std::vector<uint8_t> encode_call(std::string_view signature, const std::vector<Value>& args) {
  const Signature sig = parse_signature(signature);
  const auto sel = selector(signature);
  std::vector<uint8_t> out(sel.begin(), sel.end());
  const auto body = encode(sig.params, Value::list(args));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::vector<Value> decode_event(std::string_view signature, const std::vector<bool>& indexed,
                                std::span<const crypto::Bytes32> topics, std::span<const uint8_t> data) {
  const Signature sig = parse_signature(signature);
  const auto& params = sig.params.members;
  if (indexed.size() != params.size()) throw AbiError("indexed flags do not match " + std::string(signature));
  size_t indexed_count = 0;
  for (bool i : indexed) indexed_count += i ? 1 : 0;
  if (topics.empty() || topics[0] != crypto::keccak256(signature)) throw AbiError("log is not a " + sig.name + " event");
  if (topics.size() != 1 + indexed_count)
    throw AbiError(sig.name + " log has " + std::to_string(topics.size()) + " topics, expected " + std::to_string(1 + indexed_count));

  Type body;
  body.kind = Type::Kind::Tuple;
  for (size_t i = 0; i < params.size(); ++i)
    if (!indexed[i]) body.members.push_back(params[i]);
  const Value unindexed = decode(body, data);

  std::vector<Value> out;
  size_t topic = 1, field = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    if (!indexed[i]) {
      out.push_back(unindexed[field++]);
    } else if (params[i].is_dynamic()) {
      out.push_back(Value::bytes(topics[topic++]));
    } else {
      out.push_back(decode(params[i], topics[topic++]));
    }
  }
  return out;
}

std::optional<std::string> decode_revert_reason(std::span<const uint8_t> data) {
  if (data.size() < 4) return std::nullopt;
  const std::array<uint8_t, 4> sel{data[0], data[1], data[2], data[3]};
  try {
    if (sel == selector("Error(string)")) return decode(parse_type("string"), data.subspan(4)).as_string();
    if (sel == selector("Panic(uint256)")) {
      const uint256 code = decode(parse_type("uint256"), data.subspan(4)).as_uint();
      return "panic " + to_quantity(code);
    }
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return "custom error " + crypto::to_hex(sel);
}

}  // namespace seedd::chain::abi
