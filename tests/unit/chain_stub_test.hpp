#pragma once
// What every unit test of chain:: code against the JSON-RPC stub (rpc_stub.hpp) starts with:
// Catch2, nlohmann::json as `json`, the ABI, quantity and hex helpers, and the names of seedd,
// seedd::chain and the stub in scope. For tests/unit/*.cpp only: it opens namespaces.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "daemon/chain/abi.hpp"
#include "daemon/chain/quantity.hpp"
#include "daemon/crypto/hex.hpp"
#include "rpc_stub.hpp"

using json = nlohmann::json;
using namespace seedd;
using namespace seedd::chain;
using test::RpcStub;
using test::StubReply;
using test::StubRequest;
