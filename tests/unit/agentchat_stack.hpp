#pragma once
// The AgentChat-shaped stack as the engine would show it, for the pure plan tests: mysql, redis,
// and a backend depending on both, each with a running container and a named volume.
#include "compose/stack.hpp"

namespace agentchat_test {

inline compose::Stack agentchatStack() {
  compose::Stack stack;
  stack.name = "chat";
  stack.workingDir = "/srv/chat";
  auto service = [&](const std::string& name, compose::Role role, std::vector<std::string> dependsOn) {
    auto& s = stack.services[name];
    s.name = name;
    s.role = role;
    s.dependsOn = std::move(dependsOn);
    s.containers.push_back({"id-" + name, "chat_" + name + "_1", "running", std::nullopt, "sha256:1"});
    return &s;
  };
  service("mysql", compose::Role::Mysql, {});
  service("redis", compose::Role::Redis, {});
  service("backend", compose::Role::App, {"mysql", "redis"})->settings.logs = {"/app/logs"};
  auto volume = [&](const std::string& key, const std::string& user) {
    auto& v = stack.volumes[key];
    v.key = key;
    v.name = "chat_" + key;
    v.exists = true;
    v.mountedBy.push_back({user, "/data"});
  };
  volume("mysql_data", "mysql");
  volume("redis_data", "redis");
  volume("app_data", "backend");
  return stack;
}

}  // namespace agentchat_test
