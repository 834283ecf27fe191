#include "rpc/method_table.hpp"

#include <cctype>
#include <stdexcept>

namespace seedd::rpc {

MethodSpec& MethodTable::add(MethodSpec spec) {
  if (find(spec.name)) throw std::logic_error("method declared twice: " + spec.name);
  return m_methods.emplace_back(std::move(spec));
}

const MethodSpec* MethodTable::find(std::string_view name) const {
  for (const auto& m : m_methods)
    if (m.name == name) return &m;
  return nullptr;
}

Result Result::opt() const {
  auto copy = *this;
  copy.optional = true;
  return copy;
}

Result Result::or_null() const {
  auto copy = *this;
  copy.nullable = true;
  return copy;
}

namespace res {
namespace {
Result make(ResultType type, std::string name, std::string description, std::vector<Result> inner = {}) {
  Result r;
  r.type = type;
  r.name = std::move(name);
  r.description = std::move(description);
  r.inner = std::move(inner);
  return r;
}
}  // namespace

Result str(std::string n, std::string d) { return make(ResultType::string, std::move(n), std::move(d)); }
Result dec(std::string n, std::string d) { return make(ResultType::decimal, std::move(n), std::move(d)); }
Result boolean(std::string n, std::string d) { return make(ResultType::boolean, std::move(n), std::move(d)); }
Result integer(std::string n, std::string d) { return make(ResultType::integer, std::move(n), std::move(d)); }
Result number(std::string n, std::string d) { return make(ResultType::number, std::move(n), std::move(d)); }
Result any(std::string n, std::string d) { return make(ResultType::any, std::move(n), std::move(d)); }
Result obj(std::string n, std::vector<Result> members, std::string d) {
  return make(ResultType::object, std::move(n), std::move(d), std::move(members));
}
Result arr(std::string n, Result element, std::string d) {
  return make(ResultType::array, std::move(n), std::move(d), {std::move(element)});
}
Result map(std::string n, Result value, std::string d) {
  return make(ResultType::map, std::move(n), std::move(d), {std::move(value)});
}
Result strings(std::string n, std::string d) { return arr(std::move(n), str(""), std::move(d)); }
}  // namespace res

json result_schema(const Result& r) {
  json s;
  switch (r.type) {
    case ResultType::string: s = {{"type", "string"}}; break;
    case ResultType::decimal: s = {{"type", "string"}, {"pattern", "^[0-9]+$"}}; break;
    case ResultType::boolean: s = {{"type", "boolean"}}; break;
    case ResultType::integer: s = {{"type", "integer"}}; break;
    case ResultType::number: s = {{"type", "number"}}; break;
    case ResultType::any: s = json::object(); break;
    case ResultType::object: {
      json properties = json::object();
      json required = json::array();
      for (const auto& m : r.inner) {
        properties[m.name] = result_schema(m);
        if (!m.optional) required.push_back(m.name);
      }
      s = {{"type", "object"}, {"properties", properties}, {"required", required}, {"additionalProperties", false}};
      break;
    }
    case ResultType::array: s = {{"type", "array"}, {"items", result_schema(r.inner.at(0))}}; break;
    case ResultType::map: s = {{"type", "object"}, {"additionalProperties", result_schema(r.inner.at(0))}}; break;
  }
  if (r.nullable && r.type != ResultType::any) s = {{"anyOf", json::array({s, {{"type", "null"}}})}};
  if (!r.description.empty()) s["description"] = r.description;
  return s;
}

const MethodTable& method_table() {
  static const MethodTable table = [] {
    MethodTable t;
    register_node_methods(t);
    register_torrent_methods(t);
    register_session_methods(t);
    register_earnings_methods(t);
    register_receipts_methods(t);
    register_rewards_methods(t);
    register_claim_methods(t);
    register_events_methods(t);
    register_chain_methods(t);
    register_bounty_methods(t);
    register_pass_methods(t);
    register_ui_methods(t);
    register_rpc_methods(t);
    return t;
  }();
  return table;
}

namespace {

const char* type_name(ParamType t) {
  switch (t) {
    case ParamType::string: return "a string";
    case ParamType::boolean: return "a boolean";
    case ParamType::integer: return "an integer";
    case ParamType::uint64: return "a non-negative integer or decimal string";
    case ParamType::info_hash: return "a 40-hex info-hash";
    case ParamType::string_array: return "an array of strings";
    case ParamType::object: return "an object";
    case ParamType::any: return "any value";
  }
  return "?";
}

bool is_decimal(const std::string& s) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return s.size() < 20 || s <= "18446744073709551615";
}

bool matches(ParamType t, const json& v) {
  switch (t) {
    case ParamType::string: return v.is_string();
    case ParamType::boolean: return v.is_boolean();
    case ParamType::integer: return v.is_number_integer();
    case ParamType::uint64:
      return v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0) ||
             (v.is_string() && is_decimal(v.get<std::string>()));
    case ParamType::info_hash: {
      if (!v.is_string()) return false;
      const auto& s = v.get_ref<const std::string&>();
      if (s.size() != 40) return false;
      for (char c : s)
        if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
      return true;
    }
    case ParamType::string_array:
      if (!v.is_array()) return false;
      for (const auto& e : v)
        if (!e.is_string()) return false;
      return true;
    case ParamType::object: return v.is_object();
    case ParamType::any: return true;
  }
  return false;
}

std::string shown(const json& v) {
  auto s = v.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

json schema_of(ParamType t) {
  switch (t) {
    case ParamType::string: return {{"type", "string"}};
    case ParamType::boolean: return {{"type", "boolean"}};
    case ParamType::integer: return {{"type", "integer"}};
    case ParamType::uint64:
      return {{"oneOf", json::array({{{"type", "integer"}, {"minimum", 0}},
                                     {{"type", "string"}, {"pattern", "^[0-9]{1,20}$"}}})}};
    case ParamType::info_hash: return {{"type", "string"}, {"pattern", "^[0-9a-fA-F]{40}$"}};
    case ParamType::string_array: return {{"type", "array"}, {"items", {{"type", "string"}}}};
    case ParamType::object: return {{"type", "object"}};
    case ParamType::any: return json::object();
  }
  return json::object();
}

}  // namespace

void validate_params(const MethodSpec& spec, const json& params) {
  for (const auto& [key, value] : params.items()) {
    const ParamSpec* p = nullptr;
    for (const auto& candidate : spec.params)
      if (candidate.name == key) p = &candidate;
    if (!p) throw invalid_params("unknown param '" + key + "' for " + spec.name);
    if (value.is_null()) continue;
    if (!matches(p->type, value))
      throw invalid_params("param '" + key + "' must be " + type_name(p->type) + ", got " + shown(value));
  }
  for (const auto& p : spec.params)
    if (p.required && (!params.contains(p.name) || params[p.name].is_null()))
      throw invalid_params("missing required param '" + p.name + "'");
}

json openrpc_document(const MethodTable& table) {
  json methods = json::array();
  for (const auto& m : table.all()) {
    json params = json::array();
    for (const auto& p : m.params)
      params.push_back({{"name", p.name}, {"required", p.required}, {"description", p.description},
                        {"schema", schema_of(p.type)}});
    methods.push_back({{"name", m.name},
                       {"description", m.description},
                       {"paramStructure", "by-name"},
                       {"params", params},
                       {"result", {{"name", "result"}, {"schema", result_schema(m.result)}}},
                       {"x-changes-state", m.changes_state}});
  }
  return {{"openrpc", "1.2.6"},
          {"info", {{"title", "seedd JSON-RPC"}, {"version", SEEDD_VERSION}}},
          {"methods", methods}};
}

std::string param_string(const json& params, const char* name, const std::string& fallback) {
  auto it = params.find(name);
  return it == params.end() || it->is_null() ? fallback : it->get<std::string>();
}

bool param_bool(const json& params, const char* name, bool fallback) {
  auto it = params.find(name);
  return it == params.end() || it->is_null() ? fallback : it->get<bool>();
}

int64_t param_int(const json& params, const char* name, int64_t fallback) {
  auto it = params.find(name);
  return it == params.end() || it->is_null() ? fallback : it->get<int64_t>();
}

bool has_param(const json& params, const char* name) {
  auto it = params.find(name);
  return it != params.end() && !it->is_null();
}

}  // namespace seedd::rpc
