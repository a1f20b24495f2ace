#pragma once
// An in-memory dockerapi::Engine for the flows' unit tests: containers with compose labels and
// states, volumes holding small file trees (the archive endpoints speak real tar), exec replies
// scripted by the test, injectable faults, and a log of every call. Where the flows rely on the real
// engine's answers (304 on a second start, 409 for a running container's removal, 404 for an
// unknown name, ...) it gives the same ones; engine_contract.hpp holds both to that.
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dockerapi/engine.hpp"
#include "tests/support/fake_files.hpp"

namespace agentchat_test {

struct FakeContainer {
  std::string id, name, image, imageId;
  std::map<std::string, std::string> labels;
  std::vector<std::string> env, cmd;
  std::vector<dockerapi::MountPoint> mounts;
  std::string state = "created";  // created, running, paused, exited
  int exitCode = 0;
  std::optional<std::string> health;  // starting, healthy, unhealthy; none: no healthcheck
  std::string healthOnStart;          // what health becomes at each start (empty: unchanged)
  int starts = 0;
  bool refusesToStart = false;  // start answers 500, as when the runtime cannot create the process
  FileTree files;               // everything outside its volume mounts
};

// What a test's exec handler sees, and answers.
struct ExecRequest {
  std::string container;  // the container's name
  std::vector<std::string> cmd;
  std::vector<std::string> env;
  std::string user;
  std::optional<std::string> input;  // stdin, read to the end, when the caller gave one
};
struct ExecReply {
  std::string out, err;
  int exitCode = 0;
};
// Answers the commands it knows; nullopt passes to the handlers added before it.
using ExecHandler = std::function<std::optional<ExecReply>(const ExecRequest&)>;

struct EngineCall {
  std::string call;    // the Engine method: "pauseContainer", "exec", "getArchive", ...
  std::string target;  // the container's or volume's name when known, else the argument
  std::string detail;  // exec: the command; archives: the path
  bool failed = false;
  std::string str() const { return call + " " + target + (detail.empty() ? "" : " " + detail); }
};

// A planned failure. Matches by call index, or by call name and target (empty: any).
struct Fault {
  std::optional<std::size_t> atCall;  // the index in the call log
  std::string call;
  std::string target;
  int status = 0;       // the HTTP status answered; 0: the engine is gone (refused connection) from then on
  std::string message;  // the engine's message; a typical one for the status when empty
  int times = 1;        // how many matching calls fail (status faults)
  bool midStream = false;  // exec and archives: half of the bytes pass, then the engine is gone
  // getArchive: the stream ends inside its last entry, answered as complete — what an engine sends
  // when a file shrinks while it is read.
  bool torn = false;
};

class FakeEngine : public dockerapi::Engine {
 public:
  FakeEngine();

  // --- setting the scene (not logged) ---
  void addImage(const std::string& image, const std::string& id = {});
  // A compose service's container (project/service/container-number labels), running unless said.
  FakeContainer& addContainer(const std::string& project, const std::string& service,
                              const std::string& image, const std::string& state = "running", int number = 1);
  FakeContainer& container(const std::string& idOrName);
  // Mounts `volume` at `destination` in the container; the volume is created when missing.
  void mount(const std::string& container, const std::string& volume, const std::string& destination);
  FileTree& volume(const std::string& name);  // created (with no labels) when missing
  bool hasVolume(const std::string& name) const;
  // A file in a container (through its mounts), under the engine's lock: for exec handlers, which
  // run while other threads may use the archive endpoints. readFile: nullopt when there is none.
  std::optional<std::string> readFile(const std::string& container, const std::string& path);
  void writeFile(const std::string& container, const std::string& path, std::string content);
  bool hasContainer(const std::string& idOrName) const;
  std::vector<std::string> containerNames() const;
  std::vector<std::string> volumeNames() const;
  // What a path in a container holds: a mounted volume's tree or the container's own, and the
  // path below its root. The tree is used after the engine's lock is released: for setting the scene
  // and for a started container's command (run under the lock); exec handlers use readFile/writeFile.
  std::pair<FileTree*, std::string> resolve(const std::string& container, const std::string& path);

  void onExec(ExecHandler handler);
  void inject(Fault fault);
  // The engine is gone from the call with this index on (every call throws Unreachable).
  void goneFromCall(std::size_t index) { inject({index, {}, {}, 0, {}, 1, false}); }
  // The call with this index answers `status`; the engine keeps working.
  void failCall(std::size_t index, int status) { inject({index, {}, {}, status, {}, 1, false}); }
  void bringBack();  // the engine answers again; faults not yet hit are dropped

  std::vector<EngineCall> calls() const;
  std::vector<std::string> callStrings() const;
  // The index of the first call after `from` whose str() starts with `prefix`; nullopt when none.
  std::optional<std::size_t> find(const std::string& prefix, std::size_t from = 0) const;
  void clearCalls();

  // --- dockerapi::Engine ---
  std::string endpointName() const override { return "fake://engine"; }
  dockerapi::ApiVersion apiVersion() override;
  dockerapi::VersionInfo version() override;
  nlohmann::json info() override;
  nlohmann::json systemDf() override;
  std::vector<dockerapi::ContainerSummary> listContainers(const dockerapi::Filters& filters,
                                                          bool all) override;
  dockerapi::ContainerInfo inspectContainer(const std::string& idOrName) override;
  std::string createContainer(const dockerapi::ContainerSpec& spec) override;
  void startContainer(const std::string& id) override;
  void stopContainer(const std::string& id, int timeoutSeconds) override;
  void pauseContainer(const std::string& id) override;
  void unpauseContainer(const std::string& id) override;
  int waitContainer(const std::string& id) override;
  void removeContainer(const std::string& id, bool force) override;
  dockerapi::ExecResult exec(const std::string& container, const dockerapi::ExecSpec& spec,
                             base::ChunkSink out, base::ChunkSink err, base::ChunkSource in = {}) override;
  nlohmann::json inspectExec(const std::string& execId) override;
  dockerapi::PathStat statPath(const std::string& container, const std::string& path) override;
  dockerapi::PathStat getArchive(const std::string& container, const std::string& path,
                                 base::ChunkSink tar) override;
  void putArchive(const std::string& container, const std::string& directory, base::ChunkSource tar) override;
  std::vector<dockerapi::VolumeInfo> listVolumes(const dockerapi::Filters& filters) override;
  dockerapi::VolumeInfo inspectVolume(const std::string& name) override;
  dockerapi::VolumeInfo createVolume(const dockerapi::VolumeSpec& spec) override;
  void removeVolume(const std::string& name, bool force) override;
  bool imageExists(const std::string& image) override;
  std::optional<dockerapi::ImageInfo> inspectImage(const std::string& image) override;
  std::vector<std::string> imageDigests(const std::string& image) override;

 private:
  struct Volume {
    dockerapi::VolumeInfo info;
    FileTree tree;
  };
  struct Exec {
    std::string container;
    std::vector<std::string> cmd;
    int exitCode = 0;
  };
  // Logs the call and raises a fault planned for it; returns true when it is to break mid-stream.
  bool enter(const std::string& call, const std::string& target, const std::string& detail = {});
  FakeContainer* lookup(const std::string& idOrName);
  FakeContainer& existing(const std::string& idOrName, const std::string& what);
  dockerapi::ContainerInfo infoOf(const FakeContainer& c) const;
  [[noreturn]] void gone(const std::string& what);
  void markFailed();
  void ensureVolume(const std::string& name);

  mutable std::recursive_mutex mutex_;
  std::map<std::string, FakeContainer> containers_;  // by id
  std::map<std::string, Volume> volumes_;
  std::map<std::string, std::string> images_;  // reference -> id
  std::vector<ExecHandler> handlers_;
  std::map<std::string, Exec> execs_;
  std::vector<Fault> faults_;
  std::vector<EngineCall> calls_;
  bool gone_ = false;
  bool tornNow_ = false;  // the call enter() just logged is to answer a torn archive
  std::size_t nextId_ = 1;
};

}  // namespace agentchat_test
