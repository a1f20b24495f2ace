#include "tests/support/fake_engine.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <utility>

#include "base/tar_walker.hpp"
#include "compose/stack.hpp"
#include "dockerapi/errors.hpp"

namespace agentchat_test {

using dockerapi::EngineError;
using dockerapi::errorFromResponse;
using nlohmann::json;

namespace {

std::string hexId(std::size_t n, char kind) {
  char buffer[65];
  std::snprintf(buffer, sizeof buffer, "%c%063zx", kind, n);
  return buffer;
}

// The engine's error for `status`, built by the same function that reads the real engine's answers.
EngineError answered(int status, const std::string& message, const std::string& what) {
  return errorFromResponse(status, json{{"message", message}}.dump(), what);
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

bool labelsMatch(const std::map<std::string, std::string>& labels, const std::vector<std::string>& wanted) {
  for (const auto& filter : wanted) {
    auto eq = filter.find('=');
    auto it = labels.find(filter.substr(0, eq));
    if (it == labels.end()) return false;
    if (eq != std::string::npos && it->second != filter.substr(eq + 1)) return false;
  }
  return true;
}

std::string drain(base::ChunkSource& source) {
  std::string bytes;
  char buffer[16384];
  while (std::size_t n = source(buffer, sizeof buffer)) bytes.append(buffer, n);
  return bytes;
}

}  // namespace

FakeEngine::FakeEngine() {
  addImage("busybox:latest");
}

// --- the scene ---

void FakeEngine::addImage(const std::string& image, const std::string& id) {
  std::lock_guard lock(mutex_);
  images_[image] = id.empty() ? "sha256:" + hexId(images_.size() + 1, 'e').substr(1) + "e" : id;
}

FakeContainer& FakeEngine::addContainer(const std::string& project, const std::string& service,
                                        const std::string& image, const std::string& state, int number) {
  std::lock_guard lock(mutex_);
  if (!images_.count(image)) addImage(image);
  FakeContainer c;
  c.id = hexId(nextId_++, 'c');
  c.name = project + "-" + service + "-" + std::to_string(number);
  c.image = image;
  c.imageId = images_.at(image);
  c.labels = {{compose::kProjectLabel, project},
              {compose::kServiceLabel, service},
              {compose::kNumberLabel, std::to_string(number)},
              {"com.docker.compose.oneoff", "False"}};
  c.state = state;
  if (state == "running" || state == "paused") c.starts = 1;
  return containers_[c.id] = std::move(c);
}

FakeContainer* FakeEngine::lookup(const std::string& idOrName) {
  if (idOrName.empty()) return nullptr;
  for (auto& [id, c] : containers_) {
    if (id == idOrName || c.name == idOrName || (idOrName.size() >= 12 && id.starts_with(idOrName)))
      return &c;
  }
  return nullptr;
}

FakeContainer& FakeEngine::container(const std::string& idOrName) {
  std::lock_guard lock(mutex_);
  if (auto* c = lookup(idOrName)) return *c;
  throw std::out_of_range("fake engine: no container " + idOrName);
}

bool FakeEngine::hasContainer(const std::string& idOrName) const {
  std::lock_guard lock(mutex_);
  return const_cast<FakeEngine*>(this)->lookup(idOrName) != nullptr;
}

std::vector<std::string> FakeEngine::containerNames() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [id, c] : containers_) names.push_back(c.name);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> FakeEngine::volumeNames() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [name, v] : volumes_) names.push_back(name);
  return names;
}

void FakeEngine::ensureVolume(const std::string& name) {
  if (volumes_.count(name)) return;
  Volume& v = volumes_[name];
  v.info.name = name;
  v.info.driver = "local";
  v.info.scope = "local";
  v.info.mountpoint = "/var/lib/docker/volumes/" + name + "/_data";
}

void FakeEngine::mount(const std::string& container, const std::string& volume,
                       const std::string& destination) {
  std::lock_guard lock(mutex_);
  ensureVolume(volume);
  this->container(container).mounts.push_back(
      {"volume", volume, volumes_.at(volume).info.mountpoint, destination, false});
}

FileTree& FakeEngine::volume(const std::string& name) {
  std::lock_guard lock(mutex_);
  ensureVolume(name);
  return volumes_.at(name).tree;
}

std::optional<std::string> FakeEngine::readFile(const std::string& container, const std::string& path) {
  std::lock_guard lock(mutex_);
  auto [tree, relative] = resolve(container, path);
  if (!tree->exists(relative) || tree->isDirectory(relative)) return std::nullopt;
  return tree->read(relative);
}

void FakeEngine::writeFile(const std::string& container, const std::string& path, std::string content) {
  std::lock_guard lock(mutex_);
  auto [tree, relative] = resolve(container, path);
  tree->write(relative, std::move(content));
}

bool FakeEngine::hasVolume(const std::string& name) const {
  std::lock_guard lock(mutex_);
  return volumes_.count(name) > 0;
}

std::pair<FileTree*, std::string> FakeEngine::resolve(const std::string& container, const std::string& path) {
  std::lock_guard lock(mutex_);
  FakeContainer& c = this->container(container);
  std::string wanted = normalisedPath(path);
  const dockerapi::MountPoint* best = nullptr;
  for (const auto& m : c.mounts) {
    std::string dest = normalisedPath(m.destination);
    bool under = wanted == dest || (wanted.size() > dest.size() &&
                                    wanted.compare(0, dest.size(), dest) == 0 && wanted[dest.size()] == '/');
    if (m.type == "volume" && under && (!best || dest.size() > normalisedPath(best->destination).size()))
      best = &m;
  }
  if (!best) return {&c.files, path};
  std::string dest = normalisedPath(best->destination);
  std::string rest = path;
  // Keep a trailing "/." (contents only) while cutting the mount's destination off.
  std::string relative = wanted.size() > dest.size() ? wanted.substr(dest.size() + 1) : "";
  if (path.ends_with("/.") || path == ".") relative += relative.empty() ? "." : "/.";
  return {&volumes_.at(best->name).tree, relative};
}

void FakeEngine::onExec(ExecHandler handler) {
  std::lock_guard lock(mutex_);
  handlers_.push_back(std::move(handler));
}

void FakeEngine::inject(Fault fault) {
  std::lock_guard lock(mutex_);
  faults_.push_back(std::move(fault));
}

void FakeEngine::bringBack() {
  std::lock_guard lock(mutex_);
  gone_ = false;
  faults_.clear();
}

std::vector<EngineCall> FakeEngine::calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

std::vector<std::string> FakeEngine::callStrings() const {
  std::vector<std::string> out;
  for (const auto& c : calls()) out.push_back(c.str() + (c.failed ? " (failed)" : ""));
  return out;
}

std::optional<std::size_t> FakeEngine::find(const std::string& prefix, std::size_t from) const {
  auto log = calls();
  for (std::size_t i = from; i < log.size(); ++i) {
    if (log[i].str().starts_with(prefix)) return i;
  }
  return std::nullopt;
}

void FakeEngine::clearCalls() {
  std::lock_guard lock(mutex_);
  calls_.clear();
}

// --- faults ---

void FakeEngine::gone(const std::string& what) {
  gone_ = true;
  markFailed();
  throw dockerapi::unreachableError(endpointName(), what + ": connection refused");
}

void FakeEngine::markFailed() {
  if (!calls_.empty()) calls_.back().failed = true;
}

bool FakeEngine::enter(const std::string& call, const std::string& target, const std::string& detail) {
  std::size_t index = calls_.size();
  std::string name = target;
  if (auto* c = lookup(target)) name = c->name;
  calls_.push_back({call, name, detail, false});
  tornNow_ = false;
  if (gone_) gone(call + " " + name);
  for (auto& fault : faults_) {
    if (fault.times <= 0) continue;
    bool matches = fault.atCall
                       ? *fault.atCall == index
                       : (fault.call.empty() || fault.call == call) &&
                             (fault.target.empty() || fault.target == name || fault.target == target);
    if (!matches) continue;
    --fault.times;
    tornNow_ = fault.torn;
    if (fault.midStream || fault.torn) return true;
    if (fault.status == 0) gone(call + " " + name);
    markFailed();
    std::string message = fault.message;
    if (message.empty()) {
      message = fault.status == 404   ? "No such container: " + name
                : fault.status == 409 ? "Conflict: " + name + " is in use"
                                      : "an injected engine failure";
    }
    throw answered(fault.status, message, call + " " + name);
  }
  return false;
}

FakeContainer& FakeEngine::existing(const std::string& idOrName, const std::string& what) {
  if (auto* c = lookup(idOrName)) return *c;
  markFailed();
  throw answered(404, "No such container: " + idOrName, what);
}

// --- the Engine ---

dockerapi::ApiVersion FakeEngine::apiVersion() {
  std::lock_guard lock(mutex_);
  enter("apiVersion", "");
  return {1, 45};
}

dockerapi::VersionInfo FakeEngine::version() {
  std::lock_guard lock(mutex_);
  enter("version", "");
  return {"26.1.0", "1.45", "1.24", "linux", "amd64", "6.1.0"};
}

json FakeEngine::info() {
  std::lock_guard lock(mutex_);
  enter("info", "");
  return {{"DockerRootDir", "/var/lib/docker"}, {"Driver", "overlay2"}, {"ServerVersion", "26.1.0"}};
}

json FakeEngine::systemDf() {
  std::lock_guard lock(mutex_);
  enter("systemDf", "");
  return {{"Volumes", json::array()}, {"Containers", json::array()}, {"Images", json::array()}};
}

std::vector<dockerapi::ContainerSummary> FakeEngine::listContainers(const dockerapi::Filters& filters,
                                                                    bool all) {
  std::lock_guard lock(mutex_);
  enter("listContainers", "");
  std::vector<dockerapi::ContainerSummary> out;
  for (const auto& [id, c] : containers_) {
    if (!all && c.state != "running" && c.state != "paused") continue;
    if (auto it = filters.find("label"); it != filters.end() && !labelsMatch(c.labels, it->second)) continue;
    out.push_back({c.id, c.name, c.image, c.imageId, c.state, c.labels});
  }
  return out;
}

dockerapi::ContainerInfo FakeEngine::infoOf(const FakeContainer& c) const {
  dockerapi::ContainerInfo info;
  info.id = c.id;
  info.name = c.name;
  info.image = c.image;
  info.imageId = c.imageId;
  info.status = c.state;
  info.running = c.state == "running" || c.state == "paused";
  info.paused = c.state == "paused";
  char startedAt[32];
  std::snprintf(startedAt, sizeof startedAt, "2026-01-01T%02d:%02d:%02dZ", c.starts / 3600 % 24,
                c.starts / 60 % 60, c.starts % 60);
  info.startedAt = c.starts == 0 ? "0001-01-01T00:00:00Z" : startedAt;
  if (c.health) {
    // One probe, run after this start: the verdict belongs to the running process.
    dockerapi::HealthProbe probe{dockerapi::rfc3339Nanos(info.startedAt).value_or(0) + 1'000'000'000,
                                 *c.health == "healthy" ? 0 : 1, "probe " + *c.health};
    info.health = c.health;
    info.healthState = dockerapi::HealthState{*c.health, *c.health == "unhealthy" ? 3 : 0, {probe}};
    info.healthcheck = dockerapi::Healthcheck{};
  }
  info.labels = c.labels;
  info.env = c.env;
  info.cmd = c.cmd;
  info.mounts = c.mounts;
  info.raw = {
      {"Id", c.id}, {"Name", "/" + c.name}, {"State", {{"Status", c.state}, {"ExitCode", c.exitCode}}}};
  return info;
}

dockerapi::ContainerInfo FakeEngine::inspectContainer(const std::string& idOrName) {
  std::lock_guard lock(mutex_);
  enter("inspectContainer", idOrName);
  return infoOf(existing(idOrName, "inspect container " + idOrName));
}

std::string FakeEngine::createContainer(const dockerapi::ContainerSpec& spec) {
  std::lock_guard lock(mutex_);
  enter("createContainer", spec.name, spec.image);
  std::string what = "create a container from image " + spec.image;
  if (!images_.count(spec.image) &&
      std::none_of(images_.begin(), images_.end(), [&](const auto& i) { return i.second == spec.image; })) {
    markFailed();
    throw answered(404, "No such image: " + spec.image, what);
  }
  if (!spec.name.empty() && lookup(spec.name)) {
    markFailed();
    throw answered(409, "Conflict. The container name \"/" + spec.name + "\" is already in use", what);
  }
  FakeContainer c;
  c.id = hexId(nextId_++, 'c');
  c.name = spec.name.empty() ? "fake_" + c.id.substr(0, 8) : spec.name;
  c.image = spec.image;
  c.imageId = images_.count(spec.image) ? images_.at(spec.image) : spec.image;
  c.labels = spec.labels;
  c.env = spec.env;
  c.cmd = spec.cmd;
  for (const auto& m : spec.mounts) {
    if (m.type == dockerapi::MountSpec::Type::Volume) {
      ensureVolume(m.source);
      c.mounts.push_back({"volume", m.source, volumes_.at(m.source).info.mountpoint, m.target, m.readOnly});
    } else {
      c.mounts.push_back({"bind", "", m.source, m.target, m.readOnly});
    }
  }
  std::string id = c.id;
  containers_[id] = std::move(c);
  return id;
}

void FakeEngine::startContainer(const std::string& id) {
  std::lock_guard lock(mutex_);
  enter("startContainer", id);
  std::string what = "start container " + id;
  FakeContainer& c = existing(id, what);
  if (c.state == "running") return;  // 304: already started
  if (c.state == "paused") {
    markFailed();
    throw answered(409, "cannot start a paused container, try unpause instead", what);
  }
  if (c.refusesToStart) {
    markFailed();
    c.state = "exited";
    c.exitCode = 127;
    throw answered(500, "failed to create task for container: OCI runtime create failed", what);
  }
  c.state = "running";
  ++c.starts;
  if (!c.healthOnStart.empty()) c.health = c.healthOnStart;
  // A container whose command a handler answers (a helper emptying a volume) runs it now; its
  // exit shows at waitContainer. The others idle until stopped.
  if (!c.cmd.empty()) {
    ExecRequest request{c.name, c.cmd, c.env, {}, std::nullopt};
    for (auto it = handlers_.rbegin(); it != handlers_.rend(); ++it) {
      if (auto reply = (*it)(request)) {
        c.exitCode = reply->exitCode;
        break;
      }
    }
  }
}

void FakeEngine::stopContainer(const std::string& id, int) {
  std::lock_guard lock(mutex_);
  enter("stopContainer", id);
  FakeContainer& c = existing(id, "stop container " + id);
  if (c.state != "running" && c.state != "paused") return;  // 304: already stopped
  c.state = "exited";
  c.exitCode = 0;
}

void FakeEngine::pauseContainer(const std::string& id) {
  std::lock_guard lock(mutex_);
  enter("pauseContainer", id);
  std::string what = "pause container " + id;
  FakeContainer& c = existing(id, what);
  if (c.state == "paused") {
    markFailed();
    throw answered(409, "Container " + c.id + " is already paused", what);
  }
  if (c.state != "running") {
    markFailed();
    throw answered(409, "Container " + c.id + " is not running", what);
  }
  c.state = "paused";
}

void FakeEngine::unpauseContainer(const std::string& id) {
  std::lock_guard lock(mutex_);
  enter("unpauseContainer", id);
  std::string what = "unpause container " + id;
  FakeContainer& c = existing(id, what);
  if (c.state != "paused") {
    // A plain error in the engine (daemon/pause.go), so HTTP 500, not the 409 of pausing twice.
    markFailed();
    throw answered(500, "Container " + c.id + " is not paused", what);
  }
  c.state = "running";
}

int FakeEngine::waitContainer(const std::string& id) {
  std::lock_guard lock(mutex_);
  enter("waitContainer", id);
  FakeContainer& c = existing(id, "wait for container " + id);
  // A started helper has run its command by now: the fake has no clock.
  if (c.state == "running") c.state = "exited";
  return c.exitCode;
}

void FakeEngine::removeContainer(const std::string& id, bool force) {
  std::lock_guard lock(mutex_);
  enter("removeContainer", id);
  std::string what = "remove container " + id;
  FakeContainer& c = existing(id, what);
  if (!force && (c.state == "running" || c.state == "paused")) {
    markFailed();
    throw answered(409,
                   "You cannot remove a " + c.state + " container " + c.id +
                       ". Stop the container before attempting removal or force remove",
                   what);
  }
  containers_.erase(c.id);
}

dockerapi::ExecResult FakeEngine::exec(const std::string& container, const dockerapi::ExecSpec& spec,
                                       base::ChunkSink out, base::ChunkSink err, base::ChunkSource in) {
  ExecRequest request;
  bool breaks = false;
  std::string what =
      "run `" + (spec.cmd.empty() ? std::string("?") : spec.cmd.front()) + "` in container " + container;
  std::vector<ExecHandler> handlers;
  {
    std::lock_guard lock(mutex_);
    breaks = enter("exec", container, joined(spec.cmd));
    FakeContainer& c = existing(container, what);
    if (c.state == "paused") {
      markFailed();
      throw answered(409, "Container " + c.id + " is paused, unpause the container before exec", what);
    }
    if (c.state != "running") {
      markFailed();
      throw answered(409, "Container " + c.id + " is not running", what);
    }
    request = {c.name, spec.cmd, spec.env, spec.user, std::nullopt};
    handlers = handlers_;
  }
  if (in) request.input = drain(in);
  // No lock while the handler runs: it may change the scene (a restore writes files, ...).
  ExecReply reply{"",
                  "OCI runtime exec failed: exec failed: unable to start container process: exec: \"" +
                      (spec.cmd.empty() ? std::string() : spec.cmd.front()) +
                      "\": executable file not found in $PATH\r\n",
                  127};
  for (auto it = handlers.rbegin(); it != handlers.rend(); ++it) {
    if (auto answer = (*it)(request)) {
      reply = *answer;
      break;
    }
  }
  if (breaks) {
    out(std::string_view(reply.out).substr(0, reply.out.size() / 2));
    std::lock_guard lock(mutex_);
    gone(what + " (mid-stream)");
  }
  dockerapi::ExecResult result;
  {
    std::lock_guard lock(mutex_);
    result.execId = hexId(nextId_++, 'x');
    execs_[result.execId] = {request.container, spec.cmd, reply.exitCode};
  }
  if (!reply.out.empty()) out(reply.out);
  if (!reply.err.empty()) err(reply.err);
  result.exitCode = reply.exitCode;
  result.stdoutBytes = reply.out.size();
  result.stderrBytes = reply.err.size();
  return result;
}

json FakeEngine::inspectExec(const std::string& execId) {
  std::lock_guard lock(mutex_);
  enter("inspectExec", execId);
  auto it = execs_.find(execId);
  if (it == execs_.end()) {
    markFailed();
    throw answered(404, "No such exec instance: " + execId, "inspect exec " + execId);
  }
  const Exec& e = it->second;
  json arguments = json::array();
  for (std::size_t i = 1; i < e.cmd.size(); ++i) arguments.push_back(e.cmd[i]);
  return {{"ID", execId},
          {"Running", false},
          {"ExitCode", e.exitCode},
          {"ProcessConfig", {{"entrypoint", e.cmd.empty() ? "" : e.cmd.front()}, {"arguments", arguments}}}};
}

dockerapi::PathStat FakeEngine::statPath(const std::string& container, const std::string& path) {
  std::lock_guard lock(mutex_);
  enter("statPath", container, path);
  std::string what = "stat " + path + " in container " + container;
  existing(container, what);
  auto [tree, relative] = resolve(container, path);
  if (!tree->exists(relative)) {
    markFailed();
    throw EngineError(dockerapi::ErrorKind::NotFound, what + ": no such container or path (HTTP 404)", 404);
  }
  return tree->stat(relative);
}

dockerapi::PathStat FakeEngine::getArchive(const std::string& container, const std::string& path,
                                           base::ChunkSink tar) {
  std::string bytes;
  dockerapi::PathStat stat;
  bool breaks = false, torn = false;
  std::string what = "copy " + path + " out of container " + container;
  {
    std::lock_guard lock(mutex_);
    breaks = enter("getArchive", container, path);
    torn = std::exchange(tornNow_, false);
    breaks = breaks && !torn;
    existing(container, what);
    auto [tree, relative] = resolve(container, path);
    if (!tree->exists(normalisedPath(relative))) {
      markFailed();
      throw answered(404, "Could not find the file " + path + " in container " + container, what);
    }
    bytes = tree->archive(relative);
    stat = tree->stat(relative);
  }
  // In chunks, as a socket delivers them: the flows' tar readers must cope.
  std::size_t end = breaks ? bytes.size() / 2 : bytes.size();
  if (torn && bytes.size() > 1025) end = bytes.size() - 1025;  // before the end marker's two blocks
  for (std::size_t at = 0; at < end; at += 700)
    tar(std::string_view(bytes).substr(at, std::min<std::size_t>(700, end - at)));
  if (breaks) {
    std::lock_guard lock(mutex_);
    gone(what + " (mid-stream)");
  }
  return stat;
}

void FakeEngine::putArchive(const std::string& container, const std::string& directory,
                            base::ChunkSource tar) {
  std::string what = "copy into " + directory + " of container " + container;
  bool breaks = false;
  {
    std::lock_guard lock(mutex_);
    breaks = enter("putArchive", container, directory);
    existing(container, what);
  }
  std::string bytes = drain(tar);  // read outside the lock: the source may be slow
  std::lock_guard lock(mutex_);
  if (breaks) gone(what + " (mid-stream)");
  auto [tree, relative] = resolve(container, directory);
  if (!tree->isDirectory(relative)) {
    markFailed();
    throw answered(404, "Could not find the file " + directory + " in container " + container, what);
  }
  try {
    tree->extract(relative, bytes);
  } catch (const base::TarError& e) {
    markFailed();
    throw answered(400, std::string("unexpected EOF: ") + e.what(), what);
  }
}

std::vector<dockerapi::VolumeInfo> FakeEngine::listVolumes(const dockerapi::Filters& filters) {
  std::lock_guard lock(mutex_);
  enter("listVolumes", "");
  std::vector<dockerapi::VolumeInfo> out;
  for (const auto& [name, v] : volumes_) {
    if (auto it = filters.find("label"); it != filters.end() && !labelsMatch(v.info.labels, it->second))
      continue;
    if (auto it = filters.find("name");
        it != filters.end() && std::none_of(it->second.begin(), it->second.end(),
                                            [&](const auto& n) { return name.find(n) != std::string::npos; }))
      continue;
    out.push_back(v.info);
  }
  return out;
}

dockerapi::VolumeInfo FakeEngine::inspectVolume(const std::string& name) {
  std::lock_guard lock(mutex_);
  enter("inspectVolume", name);
  auto it = volumes_.find(name);
  if (it == volumes_.end()) {
    markFailed();
    throw answered(404, "get " + name + ": no such volume", "inspect volume " + name);
  }
  return it->second.info;
}

dockerapi::VolumeInfo FakeEngine::createVolume(const dockerapi::VolumeSpec& spec) {
  std::lock_guard lock(mutex_);
  enter("createVolume", spec.name);
  std::string name = spec.name.empty() ? hexId(nextId_++, 'a') : spec.name;
  if (!volumes_.count(name)) {  // an existing volume is answered as it is, labels unchanged
    ensureVolume(name);
    volumes_.at(name).info.labels = spec.labels;
    volumes_.at(name).info.options = spec.driverOpts;
    volumes_.at(name).info.driver = spec.driver;
  }
  return volumes_.at(name).info;
}

void FakeEngine::removeVolume(const std::string& name, bool force) {
  std::lock_guard lock(mutex_);
  enter("removeVolume", name);
  std::string what = "remove volume " + name;
  if (!volumes_.count(name)) {
    if (force) return;
    markFailed();
    throw answered(404, "get " + name + ": no such volume", what);
  }
  std::vector<std::string> users;
  for (const auto& [id, c] : containers_) {
    for (const auto& m : c.mounts) {
      if (m.type == "volume" && m.name == name) users.push_back(id);
    }
  }
  if (!users.empty()) {
    markFailed();
    throw answered(409, "remove " + name + ": volume is in use - [" + joined(users) + "]", what);
  }
  volumes_.erase(name);
}

bool FakeEngine::imageExists(const std::string& image) {
  return inspectImage(image).has_value();
}

std::optional<dockerapi::ImageInfo> FakeEngine::inspectImage(const std::string& image) {
  std::lock_guard lock(mutex_);
  enter("inspectImage", image);
  for (const auto& [reference, id] : images_) {
    if (reference == image || id == image) {
      dockerapi::ImageInfo info;
      info.id = id;
      info.repoTags = {reference};
      info.layers = {"sha256:" + id.substr(7)};
      info.os = "linux";
      info.architecture = "amd64";
      return info;
    }
  }
  return std::nullopt;
}

std::vector<std::string> FakeEngine::imageDigests(const std::string& image) {
  std::lock_guard lock(mutex_);
  enter("imageDigests", image);
  for (const auto& [reference, id] : images_) {
    if (reference == image || id == image) return {};
  }
  markFailed();
  throw answered(404, "No such image: " + image, "inspect image " + image);
}

}  // namespace agentchat_test
