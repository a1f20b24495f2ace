#include "plugin/database_login.hpp"

#include <stdexcept>

#include "dockerapi/exec.hpp"

namespace agentchat {

std::string runningContainer(const compose::StackService& service) {
  for (const auto& c : service.containers) {
    if (c.state == "running") return c.id;
  }
  return {};
}

namespace {

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
    // The path is on argv, the secret only comes back on stdout.
    auto read = dockerapi::execCapture(engine, container, {{"cat", path}, {}, {}, {}}, {}, 64 * 1024);
    if (read.exitCode != 0) {
      throw std::runtime_error("service " + service.name + ": cannot read the password file " + path +
                               " in its container");
    }
    return read.out;
  });
}

std::string loginSource(const compose::StackService& service) {
  auto login = loginWith(service, [](const std::string&) { return std::string("x"); });
  return login ? login->source : std::string{};
}

}  // namespace agentchat
