#include "daemon/engine/peer_id.hpp"

namespace seedd {

std::string peer_id_prefix(std::string_view version) {
  std::string out = "-" + std::string(kPeerIdClientCode);
  size_t pos = 0;
  for (int part = 0; part < 3; ++part) {
    unsigned n = 0;
    bool ok = pos < version.size();
    for (; pos < version.size() && version[pos] != '.'; ++pos) {
      const char c = version[pos];
      if (c < '0' || c > '9' || n > 35) ok = false;
      else n = n * 10 + static_cast<unsigned>(c - '0');
    }
    ++pos;  // past the dot
    if (!ok || n > 35) n = 0;
    out += static_cast<char>(n < 10 ? '0' + n : 'A' + (n - 10));
  }
  return out + "0-";
}

}  // namespace seedd
