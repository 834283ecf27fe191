// Test helper: signs EIP-712 receipts with seedd's crypto code, for the Python peers in
// tests/integration that speak the receipt extension.
//   receipt_tool address KEY
//   receipt_tool sign KEY CHAIN POOL INFOHASH SEEDER CHANNEL BYTES TIMESTAMP
//   receipt_tool sign-batch   (stdin: one "KEY CHAIN POOL INFOHASH SEEDER CHANNEL BYTES TIMESTAMP"
//                              per line; stdout: one signature per line, for tests that need
//                              hundreds of receipts without a process each)
// prints the address (EIP-55) or the 65-byte signature as 0x-hex.
#include <cstdio>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "daemon/crypto/eip712.hpp"
#include "daemon/crypto/hex.hpp"
#include "daemon/crypto/keys.hpp"

using namespace seedd::crypto;

namespace {

/// The signature of the receipt that the 8 arguments describe, as 0x-hex; nullopt if one is bad.
std::optional<std::string> sign(const std::string (&a)[8]) {
  auto key = PrivateKey::from_hex(a[0]);
  auto chain = parse_decimal_u64(a[1]);
  auto pool = parse_address(a[2]);
  auto ih = from_hex_fixed<20>(a[3]);
  auto seeder = parse_address(a[4]);
  auto channel = parse_decimal_u64(a[5]);
  auto bytes = parse_decimal_u64(a[6]);
  auto ts = parse_decimal_u64(a[7]);
  if (!key || !chain || !pool || !ih || !seeder || !channel || !bytes || !ts) return std::nullopt;
  Domain d;
  d.chain_id = *chain;
  d.verifying_contract = *pool;
  Receipt r;
  r.infohash = *ih;
  r.seeder = *seeder;
  r.leecher = key->address();
  r.channel = *channel;
  r.bytes = *bytes;
  r.timestamp = *ts;
  return to_hex(key->sign(receipt_digest(d, r)));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "address") {
    auto key = PrivateKey::from_hex(argv[2]);
    if (!key) return 2;
    std::printf("%s\n", to_checksum_address(key->address()).c_str());
    return 0;
  }
  if (argc == 10 && std::string(argv[1]) == "sign") {
    const std::string a[8] = {argv[2], argv[3], argv[4], argv[5], argv[6], argv[7], argv[8], argv[9]};
    const auto signature = sign(a);
    if (!signature) return 2;
    std::printf("%s\n", signature->c_str());
    return 0;
  }
  if (argc == 2 && std::string(argv[1]) == "sign-batch") {
    std::string line;
    for (size_t n = 1; std::getline(std::cin, line); ++n) {
      std::istringstream in(line);
      std::string a[8];
      for (auto& field : a) in >> field;
      std::string extra;
      const auto signature = in && !(in >> extra) ? sign(a) : std::nullopt;
      if (!signature) {
        std::fprintf(stderr, "receipt_tool: line %zu: expected KEY CHAIN POOL INFOHASH SEEDER CHANNEL BYTES TIMESTAMP\n", n);
        return 2;
      }
      std::cout << *signature << '\n';
    }
    std::cout.flush();
    return std::cout ? 0 : 1;
  }
  std::fprintf(stderr, "usage: receipt_tool address KEY | sign KEY CHAIN POOL INFOHASH SEEDER CHANNEL BYTES TIMESTAMP | sign-batch\n");
  return 2;
}
