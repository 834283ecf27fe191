#pragma once
// A failure of the disk or the file system (full, read-only, I/O error) that is not the
// caller's fault and says what failed. RPC answers it with -32004 and its message, as it does
// std::system_error (issue 16, item 10): "database or disk is full" is news for the operator,
// not an internal error.
#include <stdexcept>
#include <string>

namespace seedd::util {

struct IoError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace seedd::util
