#pragma once
// A small compose project on a fake engine, and the compose::Stack the plugin would build of it
// (buildStack's view: containers by compose labels, real volume names, who mounts what).
#include <string>
#include <vector>

#include "compose/stack.hpp"
#include "tests/support/fake_engine.hpp"

namespace agentchat_test {

class FakeStack {
 public:
  FakeStack(FakeEngine& engine, std::string project) : engine_(engine) {
    stack_.name = std::move(project);
    stack_.workingDir = "/nonexistent/agentchat-fake/" + stack_.name;
    stack_.engineView = true;
  }

  // A service with one running container (project-service-1) and its named volumes (key -> target).
  compose::StackService& service(const std::string& name, compose::Role role, const std::string& image,
                                 std::vector<std::pair<std::string, std::string>> volumes = {},
                                 std::vector<std::string> dependsOn = {}) {
    auto& fake = engine_.addContainer(stack_.name, name, image);
    auto& s = stack_.services[name];
    s.name = name;
    s.role = role;
    s.image = image;
    s.imageId = fake.imageId;
    s.dependsOn = std::move(dependsOn);
    s.containers.push_back({fake.id, fake.name, fake.state, std::nullopt, fake.imageId});
    for (const auto& [key, target] : volumes) {
      std::string volumeName = stack_.name + "_" + key;
      engine_.mount(fake.name, volumeName, target);
      s.volumes.push_back({key, volumeName, target, false});
      auto& v = stack_.volumes[key];
      v.key = key;
      v.name = volumeName;
      v.driver = "local";
      v.exists = true;
      v.mountedBy.push_back({name, target});
    }
    return s;
  }

  const compose::Stack& stack() const { return stack_; }
  compose::Stack& stack() { return stack_; }
  // The stack's containers' names.
  std::vector<std::string> containers() const {
    std::vector<std::string> names;
    for (const auto& [name, s] : stack_.services) {
      for (const auto& c : s.containers) names.push_back(c.name);
    }
    return names;
  }
  // Each container's engine state ("running", "paused", ...), by name.
  std::map<std::string, std::string> states() const {
    std::map<std::string, std::string> out;
    for (const auto& name : containers()) out[name] = engine_.container(name).state;
    return out;
  }

 private:
  FakeEngine& engine_;
  compose::Stack stack_;
};

}  // namespace agentchat_test
