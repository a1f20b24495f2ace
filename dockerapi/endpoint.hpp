#pragma once
// Where the engine listens and how to talk to it (unix socket or TCP, optionally TLS).
#include <string>

namespace dockerapi {

struct TlsFiles {
  std::string caFile;    // empty: system trust store
  std::string certFile;  // client certificate, empty for none
  std::string keyFile;
};

struct Endpoint {
  enum class Kind { Unix, Tcp };
  Kind kind = Kind::Unix;
  std::string socketPath = "/var/run/docker.sock";  // Kind::Unix
  std::string host;                                 // Kind::Tcp
  int port = 0;                                     // Kind::Tcp
  bool tls = false;
  bool tlsVerify = true;
  TlsFiles tlsFiles;

  // The address as a person would write it: unix:///var/run/docker.sock, tcp://host:2376.
  std::string display() const;
  // The base URL libcurl is given ("http://docker" for sockets, "https://host:port" for TLS).
  std::string baseUrl() const;
};

// Parses a docker host string (-H / DOCKER_HOST / context endpoint). Throws EngineError(Unsupported)
// for ssh:// and other schemes with a message that says what to use instead.
Endpoint parseHost(const std::string& host, bool tls);

inline constexpr const char* kDefaultHost = "unix:///var/run/docker.sock";

}  // namespace dockerapi
