#include "plugin/cli/session.hpp"

#include "dockerapi/http_engine.hpp"

namespace agentchat {

Session::Session(GlobalOptions options, dockerapi::Environ environ)
    : options_(std::move(options)), environ_(std::move(environ)) {}

const dockerapi::ResolvedEndpoint& Session::endpoint() {
  if (!endpoint_) endpoint_ = dockerapi::resolveEndpoint(options_.connection, environ_);
  return *endpoint_;
}

dockerapi::Engine& Session::engine() {
  if (!engine_) engine_ = std::make_unique<dockerapi::HttpEngine>(endpoint().endpoint);
  return *engine_;
}

}  // namespace agentchat
