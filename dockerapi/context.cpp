#include "dockerapi/context.hpp"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/sha256.hpp"
#include "dockerapi/errors.hpp"

extern char** environ;

namespace dockerapi {
namespace fs = std::filesystem;

namespace {

std::string envOr(const Environ& env, const std::string& key, const std::string& fallback = {}) {
  auto it = env.find(key);
  return it == env.end() || it->second.empty() ? fallback : it->second;
}

std::optional<nlohmann::json> readJson(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto parsed = nlohmann::json::parse(buffer.str(), nullptr, false);
  if (parsed.is_discarded()) {
    throw EngineError(ErrorKind::BadRequest, "cannot parse " + path.string() + ": not valid JSON");
  }
  return parsed;
}

std::string fileIfExists(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec) ? path.string() : std::string{};
}

// The "default" context: -H, then DOCKER_HOST, then the default socket, with docker's TLS flags.
ResolvedEndpoint defaultContext(const ConnectionOptions& options, const Environ& env,
                                const std::string& configDir) {
  bool verify = options.tlsVerify || !envOr(env, "DOCKER_TLS_VERIFY").empty();
  bool tls = options.tls || verify;
  std::string source = "default socket";
  std::string host = kDefaultHost;
  if (options.host) {
    host = *options.host;
    source = "--host";
  } else if (!envOr(env, "DOCKER_HOST").empty()) {
    host = envOr(env, "DOCKER_HOST");
    source = "DOCKER_HOST";
  }
  Endpoint endpoint = parseHost(host, tls);
  if (endpoint.tls) {
    fs::path certDir = envOr(env, "DOCKER_CERT_PATH", configDir);
    endpoint.tlsVerify = verify;
    endpoint.tlsFiles.caFile = options.tlsCaCert.value_or(fileIfExists(certDir / "ca.pem"));
    endpoint.tlsFiles.certFile = options.tlsCert.value_or(fileIfExists(certDir / "cert.pem"));
    endpoint.tlsFiles.keyFile = options.tlsKey.value_or(fileIfExists(certDir / "key.pem"));
  }
  return {endpoint, "default", source};
}

ResolvedEndpoint namedContext(const std::string& name, const std::string& configDir,
                              const std::string& source) {
  std::string digest = base::sha256Hex(name);
  fs::path metaPath = fs::path(configDir) / "contexts" / "meta" / digest / "meta.json";
  auto meta = readJson(metaPath);
  if (!meta) {
    throw EngineError(ErrorKind::NotFound, "docker context \"" + name + "\" (from " + source +
                                               ") does not exist: no " + metaPath.string() +
                                               ". List contexts with `docker context ls`");
  }
  const auto docker = meta->value("/Endpoints/docker"_json_pointer, nlohmann::json::object());
  std::string host = docker.value("Host", std::string{});
  if (host.empty()) {
    throw EngineError(ErrorKind::BadRequest,
                      "docker context \"" + name + "\" has no docker endpoint (" + metaPath.string() + ")");
  }
  fs::path tlsDir = fs::path(configDir) / "contexts" / "tls" / digest / "docker";
  TlsFiles files{fileIfExists(tlsDir / "ca.pem"), fileIfExists(tlsDir / "cert.pem"),
                 fileIfExists(tlsDir / "key.pem")};
  bool hasTls = !files.caFile.empty() || !files.certFile.empty();
  Endpoint endpoint = parseHost(host, hasTls);
  endpoint.tlsFiles = files;
  endpoint.tlsVerify = !docker.value("SkipTLSVerify", false);
  return {endpoint, name, source};
}

}  // namespace

std::string dockerConfigDir(const ConnectionOptions& options, const Environ& env) {
  if (options.configDir) return *options.configDir;
  std::string fromEnv = envOr(env, "DOCKER_CONFIG");
  if (!fromEnv.empty()) return fromEnv;
  return (fs::path(envOr(env, "HOME", "/root")) / ".docker").string();
}

ResolvedEndpoint resolveEndpoint(const ConnectionOptions& options, const Environ& env) {
  if (options.context && options.host) {
    throw EngineError(ErrorKind::BadRequest,
                      "conflicting options: either specify --host or --context, not both");
  }
  std::string configDir = dockerConfigDir(options, env);
  std::string name;
  std::string source;
  if (options.context) {
    name = *options.context;
    source = "--context";
  } else if (options.host || !envOr(env, "DOCKER_HOST").empty()) {
    name = "default";
  } else if (!envOr(env, "DOCKER_CONTEXT").empty()) {
    name = envOr(env, "DOCKER_CONTEXT");
    source = "DOCKER_CONTEXT";
  } else if (auto config = readJson(fs::path(configDir) / "config.json");
             config && config->is_object() && !config->value("currentContext", std::string{}).empty()) {
    name = config->value("currentContext", std::string{});
    source = "currentContext in " + (fs::path(configDir) / "config.json").string();
  } else {
    name = "default";
  }
  if (name == "default") {
    ResolvedEndpoint resolved = defaultContext(options, env, configDir);
    if (!source.empty()) resolved.source = source + " (default context)";
    return resolved;
  }
  return namedContext(name, configDir, source);
}

Environ processEnviron() {
  Environ env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    auto eq = text.find('=');
    if (eq != std::string_view::npos)
      env.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
  }
  return env;
}

}  // namespace dockerapi
