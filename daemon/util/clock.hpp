#pragma once
// The wall clock as the protocol counts it: whole seconds since the Unix epoch (receipt and
// claim timestamps, expiries, the ledger's hours).
#include <chrono>
#include <cstdint>

namespace seedd::util {

inline int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace seedd::util
