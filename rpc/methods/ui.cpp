// ui.* : the web page's one-time login links (`seedctl ui`).
#include "rpc/method_table.hpp"
#include "rpc/web_sessions.hpp"

namespace seedd::rpc {

void register_ui_methods(MethodTable& table) {
  table.add({.name = "ui.login_link",
             .description = "A one-time login link to the web page for the admin, as `seedctl ui` prints it: path is "
             "/ui/login?token=... on this RPC endpoint. Opening it once logs the browser in (an admin "
             "session cookie); it is then spent, and it expires unused after 10 minutes.",
             .result = res::obj("", {res::str("path"), res::integer("expires_in_s")}),
             .changes_state = true,
             .handler = [](const json&, Context& ctx) {
               if (!ctx.web) throw RpcError(code::unavailable, "the web page is not served here");
               return json{{"path", "/ui/login?token=" + ctx.web->issue_login_link()},
                           {"expires_in_s", std::chrono::seconds(kLoginLinkLifetime).count()}};
             }});
}

}  // namespace seedd::rpc
