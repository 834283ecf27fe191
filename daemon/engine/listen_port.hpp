#pragma once
// The BitTorrent port asked for and the one bound: libtorrent moves to the next free port
// (6881 -> 6882) when the configured one is taken, which breaks port forwards and firewall
// rules written for it. Plain C++: node.info and the engine's log both use it.
#include <cstdint>
#include <optional>
#include <string>

namespace seedd {

/// The port `listen` (the listen option: "0.0.0.0:6881,[::]:6881") asks for: the first
/// item's, or nullopt when it is 0 (any free port) or cannot be read.
std::optional<uint16_t> requested_listen_port(const std::string& listen);

/// The warning for a bound port that is not the requested one; nullopt when they match or
/// none was requested (port 0).
std::optional<std::string> port_moved_warning(const std::string& listen, uint16_t bound_port);
/// The same for a port already read with requested_listen_port().
std::optional<std::string> port_moved_warning(std::optional<uint16_t> requested, uint16_t bound_port);

}  // namespace seedd
