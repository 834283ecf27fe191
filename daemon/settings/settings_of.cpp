#include "daemon/settings/settings_of.hpp"

#include "config/alt_schedule.hpp"

namespace seedd {

NetworkSettings network_settings_of(const config::Config& cfg, bool alt_limits) {
  NetworkSettings n;
  n.upload_limit = static_cast<int64_t>(cfg.get_bytes(alt_limits ? "alt_upload_limit" : "upload_limit"));
  n.download_limit = static_cast<int64_t>(cfg.get_bytes(alt_limits ? "alt_download_limit" : "download_limit"));
  n.max_connections = static_cast<int>(cfg.get_int("max_connections"));
  n.dht = cfg.get_bool("dht");
  n.lsd = cfg.get_bool("lsd");
  n.upnp = cfg.get_bool("upnp");
  n.natpmp = cfg.get_bool("natpmp");
  n.rate_limit_lan = cfg.get_bool("rate_limit_lan");
  n.upload_slots = static_cast<int>(cfg.get_int("upload_slots"));
  n.encryption = cfg.get_string("encryption");
  n.proxy = cfg.get_string("proxy");
  return n;
}

bool alt_limits_on(const config::Config& cfg, std::chrono::system_clock::time_point now) {
  if (cfg.get_bool("alt_speed")) return true;
  const auto schedule = config::parse_alt_schedule(cfg.get_string("alt_schedule"));
  return schedule && config::in_alt_window(*schedule, config::local_minute_of_week(now));
}

accountant::VanillaPolicy vanilla_policy_of(const std::string& name) {
  return name == "refuse"     ? accountant::VanillaPolicy::refuse
         : name == "throttle" ? accountant::VanillaPolicy::throttle
                              : accountant::VanillaPolicy::serve;
}

std::string option_text(const config::Config& cfg, const config::OptionDef& def) {
  using T = config::OptionType;
  switch (def.type) {
    case T::boolean:
      return cfg.get_bool(def.name) ? "true" : "false";
    case T::integer:
      return std::to_string(cfg.get_int(def.name));
    case T::bytes:
      return std::to_string(cfg.get_bytes(def.name));
    case T::endpoints:
    case T::string_list: {
      std::string out;
      for (const auto& item : cfg.get_list(def.name)) out += (out.empty() ? "" : ",") + item;
      return out;
    }
    default:
      return cfg.get_string(def.name);
  }
}

}  // namespace seedd
