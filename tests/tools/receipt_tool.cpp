// Test helper: signs EIP-712 receipts with seedd's crypto code, for the Python peers in
// tests/integration that speak the receipt extension.
//   receipt_tool address KEY
//   receipt_tool sign KEY CHAIN POOL INFOHASH SEEDER CHANNEL BYTES TIMESTAMP
// prints the address (EIP-55) or the 65-byte signature as 0x-hex.
#include <cstdio>
#include <string>

#include "daemon/crypto/eip712.hpp"
#include "daemon/crypto/hex.hpp"
#include "daemon/crypto/keys.hpp"

using namespace seedd::crypto;

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "address") {
    auto key = PrivateKey::from_hex(argv[2]);
    if (!key) return 2;
    std::printf("%s\n", to_checksum_address(key->address()).c_str());
    return 0;
  }
  if (argc == 10 && std::string(argv[1]) == "sign") {
    auto key = PrivateKey::from_hex(argv[2]);
    auto chain = parse_decimal_u64(argv[3]);
    auto pool = parse_address(argv[4]);
    auto ih = from_hex_fixed<20>(argv[5]);
    auto seeder = parse_address(argv[6]);
    auto channel = parse_decimal_u64(argv[7]);
    auto bytes = parse_decimal_u64(argv[8]);
    auto ts = parse_decimal_u64(argv[9]);
    if (!key || !chain || !pool || !ih || !seeder || !channel || !bytes || !ts) return 2;
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
    std::printf("%s\n", to_hex(key->sign(receipt_digest(d, r))).c_str());
    return 0;
  }
  std::fprintf(stderr, "usage: receipt_tool address KEY | sign KEY CHAIN POOL INFOHASH SEEDER CHANNEL BYTES TIMESTAMP\n");
  return 2;
}
