// rpc.* : the API describing itself.
#include "rpc/method_table.hpp"

namespace seedd::rpc {

void register_rpc_methods(MethodTable& table) {
  table.add({"rpc.discover", "The OpenRPC document of every method, generated from the method tables.", {},
             "an OpenRPC 1.2 document", false,
             [](const json&, Context&) { return openrpc_document(method_table()); }});
}

}  // namespace seedd::rpc
