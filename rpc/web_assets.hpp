#pragma once
// The web page's files (web/), embedded in the binary at build time (cmake/embed_assets.cmake
// writes the table): the page always matches the daemon that serves it, and a .deb, the
// container image or a hardened systemd unit needs no web root to find.
#include <string_view>

namespace seedd::rpc {

struct WebAsset {
  std::string_view path;  // relative to web/: "index.html", "app.js"
  std::string_view content_type;
  std::string_view body;
};

/// The file at `path` (relative to web/), or nullptr.
const WebAsset* find_web_asset(std::string_view path);

}  // namespace seedd::rpc
