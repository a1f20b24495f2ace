#pragma once
// The Engine API as the rest of the plugin sees it: typed calls and byte streams, no HTTP.
// HttpEngine speaks it to a real engine; the tests' FakeEngine (tests/support) stands in for one
// in the flows' unit tests, held to the same behaviour by a contract suite run against both.
#include <optional>
#include <string>
#include <vector>

#include "base/streams.hpp"
#include "dockerapi/query.hpp"
#include "dockerapi/types.hpp"

namespace dockerapi {

class Engine {
 public:
  virtual ~Engine() = default;

  // Where we are connected, for messages ("unix:///var/run/docker.sock").
  virtual std::string endpointName() const = 0;
  // The negotiated API version (pings the engine on first use).
  virtual ApiVersion apiVersion() = 0;

  virtual VersionInfo version() = 0;
  virtual nlohmann::json info() = 0;
  virtual nlohmann::json systemDf() = 0;

  virtual std::vector<ContainerSummary> listContainers(const Filters& filters, bool all) = 0;
  virtual ContainerInfo inspectContainer(const std::string& idOrName) = 0;
  virtual std::string createContainer(const ContainerSpec& spec) = 0;
  virtual void startContainer(const std::string& id) = 0;
  virtual void stopContainer(const std::string& id, int timeoutSeconds) = 0;
  virtual void pauseContainer(const std::string& id) = 0;
  virtual void unpauseContainer(const std::string& id) = 0;
  virtual int waitContainer(const std::string& id) = 0;                 // exit status once not running
  virtual void removeContainer(const std::string& id, bool force) = 0;  // never removes volumes

  // Runs a command in a running container, streaming its stdout/stderr (and stdin when given).
  virtual ExecResult exec(const std::string& container, const ExecSpec& spec, base::ChunkSink out,
                          base::ChunkSink err, base::ChunkSource in = {}) = 0;
  // The engine's inspect of an exec, e.g. to check what ProcessConfig.arguments it recorded.
  virtual nlohmann::json inspectExec(const std::string& execId) = 0;

  // Archive endpoints: work on created-but-not-started containers too.
  virtual PathStat statPath(const std::string& container, const std::string& path) = 0;
  virtual PathStat getArchive(const std::string& container, const std::string& path, base::ChunkSink tar) = 0;
  virtual void putArchive(const std::string& container, const std::string& directory,
                          base::ChunkSource tar) = 0;

  virtual std::vector<VolumeInfo> listVolumes(const Filters& filters) = 0;
  virtual VolumeInfo inspectVolume(const std::string& name) = 0;
  virtual VolumeInfo createVolume(const VolumeSpec& spec) = 0;
  virtual void removeVolume(const std::string& name, bool force) = 0;

  virtual bool imageExists(const std::string& image) = 0;
  // The image's identity facts; nullopt when the engine has no such image.
  virtual std::optional<ImageInfo> inspectImage(const std::string& image) = 0;
  // The image's registry digests ("mysql@sha256:..."); empty for a locally built or imported image.
  virtual std::vector<std::string> imageDigests(const std::string& image) = 0;
};

}  // namespace dockerapi
