#pragma once
// The stack: the compose project joined with what the engine has for it — containers per service,
// real volume names, roles, where each volume is mounted. This is the unit of backup.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compose/model.hpp"
#include "compose/roles.hpp"
#include "dockerapi/types.hpp"

namespace compose {

struct StackContainer {
  std::string id;
  std::string name;
  std::string state;                  // running, paused, exited, ...
  std::optional<std::string> health;  // healthy, unhealthy, starting
  std::string imageId;
};

struct VolumeUse {
  std::string volumeKey;  // empty for anonymous volumes
  std::string volumeName;
  std::string target;
  bool readOnly = false;
};

struct BindUse {
  std::string hostPath;
  std::string target;
  bool readOnly = false;
};

struct StackService {
  std::string name;
  Role role = Role::App;
  std::string image;
  std::string imageId;  // sha256:... of the image the container runs
  std::vector<StackContainer> containers;
  std::vector<std::string> dependsOn;
  std::vector<VolumeUse> volumes;
  std::vector<BindUse> binds;
  ServiceSettings settings;
  // Secret-bearing configuration used to find credentials; never printed.
  std::vector<std::string> env;
  std::vector<std::string> command;
  bool running() const;
};

struct StackVolume {
  std::string key;
  std::string name;
  std::string driver;
  bool external = false;
  bool exists = false;  // the engine has it
  std::map<std::string, std::string> labels;
  std::vector<std::pair<std::string, std::string>> mountedBy;  // (service, target)
};

struct Stack {
  std::string name;
  std::string workingDir;
  std::vector<std::string> files;
  std::map<std::string, StackService> services;
  std::map<std::string, StackVolume> volumes;
  std::map<std::string, SecretSpec> secrets;  // file: secrets are config to back up
  bool engineView = false;                    // containers of the project were found on the engine
  Settings settings;
  // Running one-off containers (`docker compose run`): not the service (never dumped from, paused
  // or stopped), but they may write to its volumes, so the plan says so.
  std::vector<std::string> oneOffs;
};

struct EngineView {
  std::vector<dockerapi::ContainerInfo> containers;  // of the project (label), running or not
  std::vector<dockerapi::VolumeInfo> volumes;        // the ones that exist, by real name
};

inline constexpr const char* kProjectLabel = "com.docker.compose.project";
inline constexpr const char* kServiceLabel = "com.docker.compose.service";
inline constexpr const char* kVolumeLabel = "com.docker.compose.volume";  // the key under volumes:
inline constexpr const char* kRoleLabel = "agentchat.role";
inline constexpr const char* kOneOffLabel = "com.docker.compose.oneoff";            // "True" for `run`
inline constexpr const char* kNumberLabel = "com.docker.compose.container-number";  // replica 1, 2, ...

// Services' containers are found by compose's labels only, in replica order (container-number):
// "the service's container" is replica 1 when it runs. One-off containers are left out (oneOffs).
Stack buildStack(const Project& project, const EngineView& view);

// The services in dependency order (dependencies first); ties by name. Cycles are broken by name.
std::vector<std::string> startOrder(const Stack& stack);

}  // namespace compose
