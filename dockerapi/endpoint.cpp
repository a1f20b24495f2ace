#include "dockerapi/endpoint.hpp"

#include "dockerapi/errors.hpp"

namespace dockerapi {

std::string Endpoint::display() const {
  if (kind == Kind::Unix) return "unix://" + socketPath;
  return "tcp://" + host + ":" + std::to_string(port);
}

std::string Endpoint::baseUrl() const {
  // For a socket the host part is only what goes in the Host header; the engine ignores it.
  if (kind == Kind::Unix) return "http://docker";
  bool v6 = host.find(':') != std::string::npos;
  return std::string(tls ? "https://" : "http://") + (v6 ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

Endpoint parseHost(const std::string& raw, bool tls) {
  Endpoint endpoint;
  endpoint.tls = tls;
  auto sep = raw.find("://");
  std::string scheme = sep == std::string::npos ? "tcp" : raw.substr(0, sep);
  std::string rest = sep == std::string::npos ? raw : raw.substr(sep + 3);
  if (scheme == "unix") {
    if (rest.empty())
      throw EngineError(ErrorKind::BadRequest, "invalid docker host '" + raw + "': no socket path");
    endpoint.kind = Endpoint::Kind::Unix;
    endpoint.socketPath = rest;
    endpoint.tls = false;
    return endpoint;
  }
  if (scheme == "tcp" || scheme == "http" || scheme == "https") {
    if (scheme == "https") endpoint.tls = true;
    auto slash = rest.find('/');
    if (slash != std::string::npos) rest = rest.substr(0, slash);
    std::string hostPart = rest;
    std::string portPart;
    if (!rest.empty() && rest.front() == '[') {  // [v6]:port
      auto close = rest.find(']');
      if (close == std::string::npos)
        throw EngineError(ErrorKind::BadRequest, "invalid docker host '" + raw + "'");
      hostPart = rest.substr(1, close - 1);
      if (close + 1 < rest.size() && rest[close + 1] == ':') portPart = rest.substr(close + 2);
    } else if (auto colon = rest.rfind(':'); colon != std::string::npos) {
      hostPart = rest.substr(0, colon);
      portPart = rest.substr(colon + 1);
    }
    if (hostPart.empty()) hostPart = "localhost";
    int port = endpoint.tls ? 2376 : 2375;
    if (!portPart.empty()) {
      try {
        std::size_t used = 0;
        port = std::stoi(portPart, &used);
        if (used != portPart.size() || port <= 0 || port > 65535) throw std::out_of_range("port");
      } catch (const std::exception&) {
        throw EngineError(ErrorKind::BadRequest,
                          "invalid docker host '" + raw + "': bad port '" + portPart + "'");
      }
    }
    endpoint.kind = Endpoint::Kind::Tcp;
    endpoint.host = hostPart;
    endpoint.port = port;
    return endpoint;
  }
  if (scheme == "ssh") {
    throw EngineError(
        ErrorKind::Unsupported,
        "docker host '" + raw +
            "': ssh:// endpoints are not supported yet; forward the remote socket instead, e.g. "
            "`ssh -NL /tmp/remote.sock:/var/run/docker.sock user@host` and use "
            "-H unix:///tmp/remote.sock");
  }
  throw EngineError(ErrorKind::Unsupported, "docker host '" + raw + "': scheme '" + scheme +
                                                "' is not supported (use unix:// or tcp://)");
}

}  // namespace dockerapi
