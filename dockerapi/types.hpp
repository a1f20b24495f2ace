#pragma once
// Typed views of what the engine returns, reduced to what the plugin uses (plus the raw JSON where
// a caller may need more). Env values may hold secrets: never log or print them.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dockerapi/health_state.hpp"

namespace dockerapi {

struct ApiVersion {
  int major = 1;
  int minor = 41;
  static ApiVersion parse(const std::string& text);  // "1.43"; throws EngineError(Protocol) otherwise
  std::string str() const { return std::to_string(major) + "." + std::to_string(minor); }
  auto operator<=>(const ApiVersion&) const = default;
};

// The range this build speaks: 1.41 (Engine 20.10) up to 1.51 (Engine 28); newer engines still
// accept 1.51, and Engine 29 refuses anything older than 1.44, which is why we ask for the highest.
inline constexpr ApiVersion kMinApiVersion{1, 41};
inline constexpr ApiVersion kMaxApiVersion{1, 51};

// min(ours, the server's) from /_ping's Api-Version; throws EngineError(Unsupported) if below our minimum.
ApiVersion negotiateApiVersion(const std::string& serverApiVersion);

struct VersionInfo {
  std::string engineVersion;
  std::string apiVersion;     // the server's maximum
  std::string minApiVersion;  // the server's minimum
  std::string os, arch, kernelVersion;
};

struct MountPoint {
  std::string type;  // "volume", "bind", "tmpfs"
  std::string name;  // volume name, for volumes
  std::string source;
  std::string destination;
  bool readOnly = false;
};

struct ContainerSummary {
  std::string id;
  std::string name;  // without the leading '/'
  std::string image;
  std::string imageId;
  std::string state;  // created, running, paused, restarting, exited, dead
  std::map<std::string, std::string> labels;
};

struct ContainerInfo {
  std::string id;
  std::string name;
  std::string image;    // as configured (Config.Image)
  std::string imageId;  // sha256:...
  std::string status;   // State.Status
  bool running = false;
  bool paused = false;
  std::string startedAt;  // State.StartedAt: changes with every start, so it tells a restart apart
  std::optional<std::string> health;       // State.Health.Status when a healthcheck exists
  std::optional<HealthState> healthState;  // the same with its probe log
  std::optional<Healthcheck> healthcheck;  // Config.Healthcheck, unless none or disabled
  std::map<std::string, std::string> labels;
  std::vector<std::string> env;  // SECRET-BEARING
  std::vector<std::string> cmd;
  std::vector<std::string> entrypoint;
  std::string user;
  std::vector<MountPoint> mounts;
  nlohmann::json raw;
};

// GET /images/{name}/json, reduced to what tells one image from another across engines.
struct ImageInfo {
  // The classic store's Id is the config digest; the containerd image store's (Engine 29's default)
  // is the digest of the manifest or index the image was pulled by. Ids of one image differ
  // between the two kinds of store: see image_identity.hpp.
  std::string id;
  std::vector<std::string> repoTags;     // "mysql:8.0"
  std::vector<std::string> repoDigests;  // "mysql@sha256:..."; empty for a built or imported image
  std::vector<std::string> layers;       // RootFS.Layers: diff ids, the same in either store
  std::string os, architecture, variant;
  // Config.Volumes: where a container of it gets an anonymous volume unless something is mounted.
  std::vector<std::string> volumes;
};

struct VolumeInfo {
  std::string name;
  std::string driver;
  std::string mountpoint;
  std::string scope;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> options;
};

struct VolumeSpec {
  std::string name;
  std::string driver = "local";
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> driverOpts;
};

struct MountSpec {
  enum class Type { Volume, Bind };
  Type type = Type::Volume;
  std::string source;  // volume name or host path
  std::string target;
  bool readOnly = false;
};

struct ContainerSpec {
  std::string name;  // empty: engine-chosen
  std::string image;
  std::vector<std::string> cmd;  // empty: the image's CMD
  std::optional<std::vector<std::string>> entrypoint;
  std::vector<std::string> env;
  std::string user;
  std::string workingDir;
  std::map<std::string, std::string> labels;
  std::vector<MountSpec> mounts;
  bool networkDisabled = false;
};

struct ExecSpec {
  std::vector<std::string> cmd;
  std::vector<std::string> env;  // "K=V"; the way to hand a secret to a process without argv
  std::string user;
  std::string workingDir;
  int timeoutSeconds = 0;  // 0: wait as long as it runs; else Engine::exec throws ExecTimedOut
};

struct ExecResult {
  std::string execId;  // for GET /exec/{id}/json
  int exitCode = -1;
  std::uint64_t stdoutBytes = 0;
  std::uint64_t stderrBytes = 0;
};

// X-Docker-Container-Path-Stat of an archive HEAD/GET.
struct PathStat {
  std::string name;
  std::int64_t size = 0;
  std::uint32_t mode = 0;  // Go os.FileMode bits: permissions plus type flags in the high bits
  std::string mtime;
  std::string linkTarget;
  bool isDir() const { return (mode & 0x80000000u) != 0; }
};

}  // namespace dockerapi
