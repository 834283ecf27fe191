#pragma once
// The node's identity key on disk (docs/protocol.md section 1): <data_dir>/node.key, hex, mode 0600.
#include <filesystem>

#include "daemon/crypto/keys.hpp"

namespace seedd::crypto {

/// Loads the node key from `file`, or, when it does not exist, generates one and writes it
/// atomically with mode 0600. Throws std::runtime_error naming the file when it is readable or
/// writable by group or others, is not a regular file, or does not hold a valid key (64 hex
/// digits, optional "0x", trailing whitespace allowed); std::system_error on I/O failure.
PrivateKey load_or_create_node_key(const std::filesystem::path& file);

}  // namespace seedd::crypto
