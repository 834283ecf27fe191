#pragma once
// The BEP 10 extension `seedd_receipt` (docs/protocol.md section 4), both roles on every
// connection. Runs on libtorrent's network thread: it never blocks, never touches SQLite and
// never verifies a signature; received receipts go to the accountant's queue.
#include <memory>

namespace libtorrent {
struct plugin;
}

namespace seedd::accountant {

struct ExtensionContext;

/// The extension id seedd advertises in its handshake's "m" (outside libtorrent's 0-8).
constexpr int kReceiptExtensionId = 20;
constexpr const char* kReceiptExtensionName = "seedd_receipt";

std::shared_ptr<libtorrent::plugin> make_receipt_plugin(std::shared_ptr<ExtensionContext> ctx);

}  // namespace seedd::accountant
