#include "daemon/util/json_input.hpp"

namespace seedd::util {
namespace {

using json = nlohmann::json;

/// nlohmann's own DOM builder, with a depth and a value count in front of it: returning false
/// from a SAX event stops the parser at once.
class DepthLimitedSax {
 public:
  DepthLimitedSax(json& out, size_t max_depth, size_t max_values)
      : m_dom(out, false), m_max_depth(max_depth), m_max_values(max_values) {}

  bool null() { return count() && m_dom.null(); }
  bool boolean(bool v) { return count() && m_dom.boolean(v); }
  bool number_integer(json::number_integer_t v) { return count() && m_dom.number_integer(v); }
  bool number_unsigned(json::number_unsigned_t v) { return count() && m_dom.number_unsigned(v); }
  bool number_float(json::number_float_t v, const json::string_t& s) { return count() && m_dom.number_float(v, s); }
  bool string(json::string_t& v) { return count() && m_dom.string(v); }
  bool binary(json::binary_t& v) { return count() && m_dom.binary(v); }
  bool key(json::string_t& v) { return m_dom.key(v); }
  bool start_object(size_t n) { return enter() && m_dom.start_object(n); }
  bool end_object() {
    --m_depth;
    return m_dom.end_object();
  }
  bool start_array(size_t n) { return enter() && m_dom.start_array(n); }
  bool end_array() {
    --m_depth;
    return m_dom.end_array();
  }
  bool parse_error(size_t position, const std::string& token, const nlohmann::detail::exception& e) {
    return m_dom.parse_error(position, token, e);
  }

  bool too_deep() const { return m_too_deep; }
  bool too_many_values() const { return m_too_many_values; }

 private:
  bool count() {
    if (++m_values <= m_max_values) return true;
    m_too_many_values = true;
    return false;
  }
  bool enter() {
    if (!count()) return false;
    if (++m_depth <= m_max_depth) return true;
    m_too_deep = true;
    return false;
  }

  nlohmann::detail::json_sax_dom_parser<json> m_dom;
  size_t m_max_depth, m_max_values;
  size_t m_depth = 0, m_values = 0;
  bool m_too_deep = false, m_too_many_values = false;
};

}  // namespace

JsonInput parse_untrusted_json(std::string_view text, size_t max_depth, size_t max_values) {
  JsonInput out;
  json value;
  DepthLimitedSax sax(value, max_depth, max_values);
  const bool parsed = json::sax_parse(text, &sax, json::input_format_t::json, true);
  if (sax.too_deep()) {
    out.status = JsonInput::Status::too_deep;
  } else if (sax.too_many_values()) {
    out.status = JsonInput::Status::too_many_values;
  } else if (parsed) {
    out.status = JsonInput::Status::ok;
    out.value = std::move(value);
  }
  return out;
}

std::string json_input_problem(const JsonInput& in, size_t max_depth, size_t max_values) {
  switch (in.status) {
    case JsonInput::Status::ok: return {};
    case JsonInput::Status::too_deep:
      return "nests arrays and objects deeper than " + std::to_string(max_depth) + " levels";
    case JsonInput::Status::too_many_values:
      return "holds more than " + std::to_string(max_values) + " values";
    case JsonInput::Status::invalid: break;
  }
  return "is not valid JSON";
}

}  // namespace seedd::util
