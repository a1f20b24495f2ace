#include "plugin/databases/database_login.hpp"

#include <stdexcept>

#include "base/text_lines.hpp"
#include "dockerapi/exec.hpp"

namespace agentchat {

std::string runningContainer(const compose::StackService& service) {
  for (const auto& c : service.containers) {
    if (c.state == "running") return c.id;
  }
  return {};
}

namespace {

// The path is on argv, the secret only comes back on stdout.
std::string readSecretFile(dockerapi::Engine& engine, const compose::StackService& service,
                           const std::string& container, const std::string& path) {
  auto read = dockerapi::execCapture(engine, container, {{"cat", path}, {}, {}, {}}, {}, 64 * 1024);
  if (read.exitCode != 0) {
    throw std::runtime_error("service " + service.name + ": cannot read the password file " + path +
                             " in its container (" + base::firstLine(read.err) +
                             "): the plugin reads it as the container's default user, so that user must "
                             "be able to read it");
  }
  return read.out;
}

std::optional<compose::DatabaseLogin> loginWith(const compose::StackService& service,
                                                const compose::ContainerFileReader& read) {
  switch (service.role) {
    case compose::Role::Mysql:
      return compose::mysqlLogin(service.env, read);
    case compose::Role::Redis:
      return compose::redisLogin(service.env, service.command, read);
    case compose::Role::Postgres:
      return compose::postgresLogin(service.env, read);
    default:
      return std::nullopt;
  }
}

}  // namespace

std::optional<compose::DatabaseLogin> databaseLogin(dockerapi::Engine& engine,
                                                    const compose::StackService& service) {
  std::string container = runningContainer(service);
  return loginWith(service, [&](const std::string& path) -> std::string {
    if (container.empty()) {
      throw std::runtime_error("service " + service.name + ": its password is in " + path +
                               " inside the container, which is not running");
    }
    return readSecretFile(engine, service, container, path);
  });
}

std::map<std::string, std::string> secretFiles(dockerapi::Engine& engine,
                                               const compose::StackService& service,
                                               const std::string& container,
                                               const std::vector<std::string>& env) {
  std::map<std::string, std::string> files;
  for (const auto& entry : env) {
    auto eq = entry.find('=');
    if (eq == std::string::npos || !entry.substr(0, eq).ends_with("_FILE")) continue;
    std::string path = entry.substr(eq + 1);
    if (path.starts_with("/") && !files.count(path))
      files[path] = readSecretFile(engine, service, container, path);
  }
  return files;
}

std::string loginSource(const compose::StackService& service) {
  auto login = loginWith(service, [](const std::string&) { return std::string("x"); });
  return login ? login->source : std::string{};
}

}  // namespace agentchat
