#pragma once
// Helpers shared by the Router's files (router.cpp, web_routes.cpp).
#include <string>

#include "rpc/http_server.hpp"

namespace seedd::rpc {

HttpResponse json_response(int status, std::string body);
/// The target without its query.
std::string path_of(const std::string& target);
bool has_body(const HttpRequest& req);
/// "application/json" in any case, with or without parameters ("; charset=utf-8").
bool is_json_media_type(const std::string& content_type);

}  // namespace seedd::rpc
