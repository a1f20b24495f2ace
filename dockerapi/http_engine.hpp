#pragma once
// The real Engine: the Docker Engine API over HTTP (libcurl), with the API version negotiated
// from /_ping on first use.
#include <mutex>
#include <optional>

#include "dockerapi/engine.hpp"
#include "dockerapi/http_transport.hpp"

namespace dockerapi {

class HttpEngine final : public Engine {
 public:
  explicit HttpEngine(Endpoint endpoint);

  std::string endpointName() const override { return transport_.endpoint().display(); }
  ApiVersion apiVersion() override;

  VersionInfo version() override;
  nlohmann::json info() override;
  nlohmann::json systemDf() override;

  std::vector<ContainerSummary> listContainers(const Filters& filters, bool all) override;
  ContainerInfo inspectContainer(const std::string& idOrName) override;
  std::string createContainer(const ContainerSpec& spec) override;
  void startContainer(const std::string& id) override;
  void stopContainer(const std::string& id, int timeoutSeconds) override;
  void pauseContainer(const std::string& id) override;
  void unpauseContainer(const std::string& id) override;
  int waitContainer(const std::string& id) override;
  void removeContainer(const std::string& id, bool force) override;

  ExecResult exec(const std::string& container, const ExecSpec& spec, base::ChunkSink out,
                  base::ChunkSink err, base::ChunkSource in) override;
  nlohmann::json inspectExec(const std::string& execId) override;

  PathStat statPath(const std::string& container, const std::string& path) override;
  PathStat getArchive(const std::string& container, const std::string& path, base::ChunkSink tar) override;
  void putArchive(const std::string& container, const std::string& directory, base::ChunkSource tar) override;

  std::vector<VolumeInfo> listVolumes(const Filters& filters) override;
  VolumeInfo inspectVolume(const std::string& name) override;
  VolumeInfo createVolume(const VolumeSpec& spec) override;
  void removeVolume(const std::string& name, bool force) override;

  bool imageExists(const std::string& image) override;
  std::optional<ImageInfo> inspectImage(const std::string& image) override;
  std::vector<std::string> imageDigests(const std::string& image) override;

 private:
  std::string path(const std::string& resource);  // "/v1.43" + resource
  // Performs the request and throws the typed error for any status outside `ok`.
  HttpResponse call(HttpRequest request, const std::string& what, std::initializer_list<long> ok = {200});
  nlohmann::json callJson(const std::string& method, const std::string& resource, const std::string& what,
                          std::optional<nlohmann::json> body = std::nullopt,
                          std::initializer_list<long> ok = {200});

  HttpTransport transport_;
  std::once_flag negotiated_;
  ApiVersion version_;
};

}  // namespace dockerapi
