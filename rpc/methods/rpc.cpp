// rpc.* : the API describing itself.
#include "rpc/method_table.hpp"

namespace seedd::rpc {

void register_rpc_methods(MethodTable& table) {
  table.add({.name = "rpc.discover",
             .description = "The OpenRPC document of every method, generated from the method tables; each result's "
                            "schema is its declaration (objects closed, optional members not required).",
             .result = res::obj("", {res::str("openrpc"), res::obj("info", {res::str("title"), res::str("version")}),
                                     res::arr("methods", res::any("", "an OpenRPC method object"))},
                                "an OpenRPC 1.2 document"),
             .handler = [](const json&, Context&) { return openrpc_document(method_table()); }});
}

}  // namespace seedd::rpc
