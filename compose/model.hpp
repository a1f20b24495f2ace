#pragma once
// The compose project as docker compose sees it, after interpolation and merging of all files.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compose/settings.hpp"

namespace compose {

struct Mount {
  enum class Type { Volume, Bind, Tmpfs };
  Type type = Type::Volume;
  std::string source;  // volume key (empty: anonymous), or an absolute host path for binds
  std::string target;
  bool readOnly = false;
};

// A secret a service mounts at /run/secrets/<target> (the file is config to back up; never printed).
struct SecretUse {
  std::string source;  // key under the top-level secrets:
  std::string target;  // file name under /run/secrets, or an absolute path
};

struct SecretSpec {
  std::string key;
  std::string file;         // absolute host path, for `file:` secrets
  std::string environment;  // variable name, for `environment:` secrets
  bool external = false;
};

struct Service {
  std::string name;
  std::string image;
  bool hasBuild = false;
  std::vector<std::string> command;
  std::vector<std::string> entrypoint;
  std::map<std::string, std::string> environment;  // MAY HOLD SECRETS: never print values
  std::vector<Mount> mounts;
  std::vector<std::string> dependsOn;
  std::vector<SecretUse> secrets;
  std::map<std::string, std::string> labels;
  std::optional<std::string> containerName;
  std::vector<std::string> profiles;  // empty: always part of the project
  bool enabled = true;                // no profiles, or one of them active (profiles.hpp)
  ServiceSettings agentchat;          // x-agentchat under the service
};

struct Volume {
  std::string key;   // as written under volumes:
  std::string name;  // the engine's name: `name:`, or <project>_<key>
  bool external = false;
  std::string driver = "local";
  std::map<std::string, std::string> labels;
};

struct Project {
  std::string name;
  std::filesystem::path workingDir;
  std::vector<std::filesystem::path> files;
  std::vector<std::filesystem::path> envFiles;  // .env files that were read
  // The environment interpolation used: .env values overridden by the process environment.
  // MAY HOLD SECRETS: never print values.
  std::map<std::string, std::string> env;
  std::map<std::string, Service> services;
  std::map<std::string, Volume> volumes;
  std::map<std::string, SecretSpec> secrets;
  Settings agentchat;  // top-level x-agentchat
};

}  // namespace compose
