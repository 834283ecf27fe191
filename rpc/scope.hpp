#pragma once
// What an authenticated caller may do: read methods only, or everything.

namespace seedd::rpc {

enum class Scope { read, admin };

}  // namespace seedd::rpc
