#include "rpc/web_sessions.hpp"

#include "rpc/auth.hpp"

namespace seedd::rpc {
namespace {

// Tokens are looked up in a map, which compares byte by byte; a token is 256 random bits, so
// what timing could tell about a prefix does not help to guess the rest.
constexpr size_t kTokenBytes = 32;

template <class Map, class Expiry>
void drop_oldest(Map& map, Expiry expiry) {
  auto oldest = map.begin();
  for (auto it = map.begin(); it != map.end(); ++it)
    if (expiry(it->second) < expiry(oldest->second)) oldest = it;
  if (oldest != map.end()) map.erase(oldest);
}

}  // namespace

std::string WebSessions::open(const std::string& user, Scope scope) {
  auto token = random_hex(kTokenBytes);
  std::lock_guard lock(m_mutex);
  expire_locked();
  if (m_sessions.size() >= kMaxSessions) drop_oldest(m_sessions, [](const WebSession& s) { return s.expires; });
  m_sessions[token] = WebSession{user, scope, random_hex(kTokenBytes), m_clock() + kSessionLifetime};
  return token;
}

std::optional<WebSession> WebSessions::find(const std::string& token) {
  if (token.size() != 2 * kTokenBytes) return std::nullopt;
  std::lock_guard lock(m_mutex);
  auto it = m_sessions.find(token);
  if (it == m_sessions.end()) return std::nullopt;
  if (it->second.expires <= m_clock()) {
    m_sessions.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void WebSessions::close(const std::string& token) {
  std::lock_guard lock(m_mutex);
  m_sessions.erase(token);
}

std::string WebSessions::issue_login_link() {
  auto token = random_hex(kTokenBytes);
  std::lock_guard lock(m_mutex);
  expire_locked();
  if (m_links.size() >= kMaxLoginLinks) drop_oldest(m_links, [](auto t) { return t; });
  m_links[token] = m_clock() + kLoginLinkLifetime;
  return token;
}

bool WebSessions::redeem_login_link(const std::string& token) {
  std::lock_guard lock(m_mutex);
  auto it = m_links.find(token);
  if (it == m_links.end()) return false;
  const bool live = it->second > m_clock();
  m_links.erase(it);
  return live;
}

size_t WebSessions::size() const {
  std::lock_guard lock(m_mutex);
  return m_sessions.size();
}

void WebSessions::expire_locked() {
  const auto now = m_clock();
  std::erase_if(m_sessions, [now](const auto& kv) { return kv.second.expires <= now; });
  std::erase_if(m_links, [now](const auto& kv) { return kv.second <= now; });
}

std::string cookie_value(const std::string& header, const std::string& name) {
  size_t pos = 0;
  while (pos < header.size()) {
    const auto end = std::min(header.find(';', pos), header.size());
    auto item = header.substr(pos, end - pos);
    pos = end + 1;
    const auto first = item.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    item = item.substr(first);
    const auto eq = item.find('=');
    if (eq != std::string::npos && item.compare(0, eq, name) == 0 && eq == name.size()) return item.substr(eq + 1);
  }
  return {};
}

}  // namespace seedd::rpc
