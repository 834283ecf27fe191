// session.* : the whole session: rates and totals, the port test, and the runtime settings.
// session.get reads the settings back from where they act (libtorrent's live settings and peer
// class filter, the accountant, the loggers), so a test or an operator sees what a SIGHUP or a
// session.set really changed.
#include <spdlog/spdlog.h>

#include "config/config.hpp"
#include "daemon/accountant/accountant.hpp"
#include "daemon/engine/engine.hpp"
#include "daemon/engine/listen_port.hpp"
#include "daemon/settings/live_settings.hpp"
#include "daemon/settings/settings_of.hpp"
#include "rpc/method_table.hpp"

namespace seedd::rpc {
namespace {

// spdlog calls the level "warning"; the log_level option (and so this answer) says "warn".
std::string log_level_name() {
  const auto logger = spdlog::get("main");
  const auto level = logger ? logger->level() : spdlog::get_level();
  if (level == spdlog::level::warn) return "warn";
  const auto name = spdlog::level::to_string_view(level);
  return std::string(name.data(), name.size());
}

// session.get is open to read-scope callers: a proxy password is never shown.
std::string masked_proxy(const std::string& url) {
  const auto p = config::parse_proxy_url(url);
  if (!p) return url;
  auto shown = *p;
  if (!shown.password.empty()) shown.password = "********";
  return config::to_string(shown);
}

json settings_in_force(Context& ctx) {
  const auto n = ctx.engine->network();
  json out{{"upload_limit", n.upload_limit},
           {"download_limit", n.download_limit},
           {"max_connections", n.max_connections},
           {"upload_slots", n.upload_slots},
           {"rate_limit_lan", n.rate_limit_lan},
           {"dht", n.dht},
           {"lsd", n.lsd},
           {"upnp", n.upnp},
           {"natpmp", n.natpmp},
           {"encryption", n.encryption},
           {"proxy", masked_proxy(n.proxy)},
           {"log_level", log_level_name()}};
  // upload_limit and download_limit above are the ones in force: the alternative ones while
  // alt_speed_active.
  if (ctx.settings) {
    const auto cfg = ctx.settings->current();
    out["alt_upload_limit"] = cfg.get_bytes("alt_upload_limit");
    out["alt_download_limit"] = cfg.get_bytes("alt_download_limit");
    out["alt_speed"] = cfg.get_bool("alt_speed");
    out["alt_schedule"] = cfg.get_string("alt_schedule");
    out["alt_speed_active"] = ctx.settings->alt_limits_active();
  }
  const auto filter = ctx.engine->ip_filter_stats();
  out["ip_filter"] = filter.path;
  out["ip_filter_rules"] = filter.rules;
  out["ip_filter_skipped_lines"] = filter.bad_lines;
  if (!filter.error.empty()) out["ip_filter_error"] = filter.error;
  if (ctx.accountant) {
    const auto p = ctx.accountant->runtime_policy();
    out["vanilla_peers"] = p.vanilla == accountant::VanillaPolicy::refuse     ? "refuse"
                           : p.vanilla == accountant::VanillaPolicy::throttle ? "throttle"
                                                                               : "serve";
    out["vanilla_upload_limit"] = p.vanilla_upload_limit;
    out["credit_window"] = p.credit_window;
    out["lane_weights"] = accountant::to_string(p.lane_weights);
  }
  return out;
}

// What session.get and session.set answer.
Result settings_result() {
  return res::obj(
      "", {res::integer("upload_limit", "in force: the alternative one while alt_speed_active"),
           res::integer("download_limit", "in force: the alternative one while alt_speed_active"),
           res::integer("max_connections"), res::integer("upload_slots"), res::boolean("rate_limit_lan"),
           res::boolean("dht"), res::boolean("lsd"), res::boolean("upnp"), res::boolean("natpmp"),
           res::str("encryption"), res::str("proxy", "password masked"), res::str("log_level"),
           res::integer("alt_upload_limit").opt(), res::integer("alt_download_limit").opt(),
           res::boolean("alt_speed").opt(), res::str("alt_schedule").opt(),
           res::boolean("alt_speed_active", "alt_speed, or alt_schedule's window now").opt(),
           res::str("ip_filter"), res::integer("ip_filter_rules"), res::integer("ip_filter_skipped_lines"),
           res::str("ip_filter_error", "only when the file could not be read").opt(),
           res::str("vanilla_peers").opt(), res::integer("vanilla_upload_limit").opt(),
           res::integer("credit_window").opt(), res::str("lane_weights").opt()});
}

// session.set's params: every runtime option of the registry, so a new one cannot be missed.
std::vector<ParamSpec> settable_params() {
  std::vector<ParamSpec> out;
  for (const auto& def : config::option_table()) {
    if (!def.runtime) continue;
    ParamType type = ParamType::string;
    std::string note;
    switch (def.type) {
      case config::OptionType::boolean:
        type = ParamType::boolean;
        break;
      case config::OptionType::integer:
        type = ParamType::integer;
        break;
      case config::OptionType::bytes:
        type = ParamType::any;
        note = " (an integer, or text such as \"2MiB\")";
        break;
      case config::OptionType::choice: {
        note = " (one of";
        for (const auto& c : def.choices) note += " " + std::string(c);
        note += ")";
        break;
      }
      default:
        break;
    }
    out.push_back({std::string(def.name), type, false, std::string(def.help) + note});
  }
  return out;
}

// A param's JSON value as the option text Config::set checks.
std::string option_text_of(const std::string& name, const json& v) {
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_string()) return v.get<std::string>();
  throw invalid_params(name + ": expected a number or a string");
}

// An option's value as shown to read-scope callers: a proxy password and any secret masked.
json option_value_text(const config::Config& cfg, const config::OptionDef& def) {
  const auto v = option_text(cfg, def);
  if (def.name == "proxy") return masked_proxy(v);
  return def.secret && !v.empty() ? std::string("********") : v;
}

// session.options: the registry's runtime options with their values and sources, for forms
// (the web page's Settings) that must show every option session.set takes.
json runtime_options(Context& ctx) {
  if (!ctx.settings) throw RpcError(code::unavailable, "session.options is not available in this build");
  const auto cfg = ctx.settings->current();
  json rows = json::array();
  for (const auto& def : config::option_table()) {
    if (!def.runtime) continue;
    json row{{"name", def.name},
             {"type", config::to_string(def.type)},
             {"value", option_value_text(cfg, def)},
             {"default", def.default_value},
             {"source", config::to_string(cfg.source(def.name))},
             {"group", def.group},
             {"help", def.help}};
    if (!def.choices.empty()) {
      row["choices"] = json::array();
      for (const auto& c : def.choices) row["choices"].push_back(c);
    }
    if (def.min != INT64_MIN) row["min"] = def.min;
    if (def.max != INT64_MAX) row["max"] = def.max;
    rows.push_back(std::move(row));
  }
  return {{"options", rows}};
}

}  // namespace

void register_session_methods(MethodTable& table) {
  table.add({.name = "session.stats",
             .description = "Global rates and totals: payload bytes per second up and down, all-time payload bytes "
                            "of the torrents present, torrent and peer counts.",
             .result = res::obj("", {res::integer("upload_rate"), res::integer("download_rate"),
                                     res::dec("uploaded_bytes"), res::dec("downloaded_bytes"),
                                     res::integer("torrents"), res::integer("peers")}),
             .handler = [](const json&, Context& ctx) {
               const auto s = ctx.engine->stats();
               return json{{"upload_rate", s.upload_rate},
                           {"download_rate", s.download_rate},
                           {"uploaded_bytes", std::to_string(s.uploaded_bytes)},
                           {"downloaded_bytes", std::to_string(s.downloaded_bytes)},
                           {"torrents", s.num_torrents},
                           {"peers", s.num_peers}};
             },
             .runs_inline = true});
  table.add({.name = "session.port_test",
             .description =
                 "Whether peers can reach the BitTorrent port, as far as the node itself can tell: the port "
                 "asked for and the one bound (port_moved when libtorrent took the next free one), whether "
                 "UPnP and NAT-PMP are on, and every mapping they reported (external_port, or the error). It "
                 "sends nothing itself.",
             .result = res::obj(
                 "", {res::integer("listen_port"), res::integer("listen_port_requested").or_null(),
                      res::boolean("port_moved"), res::strings("warnings"), res::boolean("upnp"),
                      res::boolean("natpmp"),
                      res::arr("mappings", res::obj("", {res::str("transport"), res::str("protocol"),
                                                         res::str("local_address"), res::integer("external_port"),
                                                         res::str("error")}))}),
             .handler = [](const json&, Context& ctx) {
               const auto& listen = ctx.engine->settings().listen;
               const auto requested = requested_listen_port(listen);
               const auto bound = ctx.engine->listen_port();
               const auto moved = port_moved_warning(requested, bound);
               const auto network = ctx.engine->network();
               json mappings = json::array();
               json warnings = json::array();
               if (moved) warnings.push_back(*moved);
               for (const auto& m : ctx.engine->port_mappings()) {
                 mappings.push_back({{"transport", m.transport},
                                     {"protocol", m.protocol},
                                     {"local_address", m.local_address},
                                     {"external_port", m.external_port},
                                     {"error", m.error}});
                 if (m.external_port > 0 && m.external_port != bound)
                   warnings.push_back(m.transport + " mapped external port " + std::to_string(m.external_port) +
                                      " to " + std::to_string(bound) + ": peers must be told the external one");
               }
               if (!network.upnp && !network.natpmp)
                 warnings.push_back("UPnP and NAT-PMP are off: forward port " + std::to_string(bound) +
                                    " (TCP and UDP) by hand if this node is behind a NAT");
               return json{{"listen_port", bound},
                           {"listen_port_requested", requested ? json(*requested) : json(nullptr)},
                           {"port_moved", moved.has_value()},
                           {"warnings", std::move(warnings)},
                           {"upnp", network.upnp},
                           {"natpmp", network.natpmp},
                           {"mappings", std::move(mappings)}};
             }});
  table.add({.name = "session.options",
             .description =
                 "Every option session.set changes, in registry order: name, type, value in force (as text; "
                 "a secret masked), default, source (default, file, environment, command line or "
                 "session.set), group, help, and choices or min/max where the option has them.",
             .result = res::obj(
                 "", {res::arr("options", res::obj("", {res::str("name"), res::str("type"), res::str("value"),
                                                        res::str("default"), res::str("source"), res::str("group"),
                                                        res::str("help"), res::strings("choices").opt(),
                                                        res::integer("min").opt(), res::integer("max").opt()}))}),
             .handler = [](const json&, Context& ctx) { return runtime_options(ctx); }});
  table.add({.name = "session.get",
             .description =
                 "Runtime settings in force now, read back from the running engine: global upload "
                 "and download limits in bytes per second (0 = unlimited; the alternative limits while "
                 "alt_speed or alt_schedule has them on), the connection limit, upload "
                 "slots (0 = no limit), whether the limits apply to LAN peers, the DHT/LSD/UPnP/NAT-PMP "
                 "switches, encryption, the SOCKS5 proxy (password masked), the log level, the IP filter "
                 "file with the ranges it blocks and the lines it skipped, and the receipt policies from "
                 "the accountant (vanilla_peers, vanilla_upload_limit, credit_window, lane_weights).",
             .result = settings_result(),
             .handler = [](const json&, Context& ctx) { return settings_in_force(ctx); }});
  table.add({.name = "session.set",
             .description =
                 "Changes runtime settings of the running daemon, at once: any subset of the params, all "
                 "checked before any is applied (a bad value changes nothing and names the param). The "
                 "change is for this process only: seedd never writes its config file, so a restart, or "
                 "a SIGHUP (which re-reads the file), brings back the configured values. Options not "
                 "listed here need a restart. Answers with the settings in force, as session.get.",
             .params = settable_params(),
             .result = settings_result(),
             .changes_state = true,
             .handler = [](const json& params, Context& ctx) {
               if (!ctx.settings) throw RpcError(code::unavailable, "session.set is not available in this build");
               std::vector<std::pair<std::string, std::string>> changes;
               for (const auto& [name, value] : params.items())
                 if (!value.is_null()) changes.emplace_back(name, option_text_of(name, value));
               if (changes.empty()) throw invalid_params("session.set: give at least one setting to change");
               try {
                 ctx.settings->set(changes, config::Source::rpc);
               } catch (const config::ConfigError& e) {
                 throw invalid_params(e.what());
               }
               return settings_in_force(ctx);
             }});
}

}  // namespace seedd::rpc
