#include "dockerapi/http_engine.hpp"

#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

#include "dockerapi/errors.hpp"
#include "dockerapi/frames.hpp"
#include "dockerapi/hijack.hpp"
#include "dockerapi/inspect_parse.hpp"
#include "dockerapi/json_fields.hpp"

namespace dockerapi {

using json_fields::str;
using nlohmann::json;

namespace {

std::string base64Decode(const std::string& text) {
  if (text.empty()) return {};
  std::string out(text.size(), '\0');
  int length =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (length < 0) throw EngineError(ErrorKind::Protocol, "engine sent an undecodable path stat header");
  std::size_t padding = 0;
  for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) ++padding;
  out.resize(static_cast<std::size_t>(length) - padding);
  return out;
}

PathStat pathStatFrom(const HttpResponse& response) {
  std::string header = response.header("x-docker-container-path-stat");
  if (header.empty()) return {};
  json stat = json::parse(base64Decode(header), nullptr, false);
  if (!stat.is_object()) throw EngineError(ErrorKind::Protocol, "engine sent an unreadable path stat header");
  PathStat result;
  result.name = str(stat, "name");
  result.size = stat.value("size", std::int64_t{0});
  result.mode = stat.value("mode", std::uint32_t{0});
  result.mtime = str(stat, "mtime");
  result.linkTarget = str(stat, "linkTarget");
  return result;
}

json containerSpecJson(const ContainerSpec& spec) {
  json body = {{"Image", spec.image}, {"Env", spec.env}, {"Labels", spec.labels}};
  if (!spec.cmd.empty()) body["Cmd"] = spec.cmd;  // an empty Cmd would replace the image's own
  if (spec.entrypoint) body["Entrypoint"] = *spec.entrypoint;
  if (!spec.user.empty()) body["User"] = spec.user;
  if (!spec.workingDir.empty()) body["WorkingDir"] = spec.workingDir;
  json mounts = json::array();
  for (const MountSpec& mount : spec.mounts) {
    mounts.push_back({{"Type", mount.type == MountSpec::Type::Volume ? "volume" : "bind"},
                      {"Source", mount.source},
                      {"Target", mount.target},
                      {"ReadOnly", mount.readOnly}});
  }
  body["HostConfig"] = {{"Mounts", mounts}};
  // NetworkMode none (docker run --network none), not Config.NetworkDisabled: the latter also drops
  // the container's hostname setup, and mariadb-install-db then fails.
  if (spec.networkDisabled) body["HostConfig"]["NetworkMode"] = "none";
  return body;
}

}  // namespace

ApiVersion ApiVersion::parse(const std::string& text) {
  auto dot = text.find('.');
  try {
    if (dot == std::string::npos) throw std::invalid_argument(text);
    return ApiVersion{std::stoi(text.substr(0, dot)), std::stoi(text.substr(dot + 1))};
  } catch (const std::exception&) {
    throw EngineError(ErrorKind::Protocol, "engine reported an unreadable API version '" + text + "'");
  }
}

ApiVersion negotiateApiVersion(const std::string& serverApiVersion) {
  // Engines before 1.25 do not send Api-Version at all; treat that as too old.
  if (serverApiVersion.empty()) {
    throw EngineError(ErrorKind::Unsupported,
                      "the Docker engine did not report its API version; docker-agentchat "
                      "needs Docker Engine 20.10 (API 1.41) or newer");
  }
  ApiVersion server = ApiVersion::parse(serverApiVersion);
  if (server < kMinApiVersion) {
    throw EngineError(ErrorKind::Unsupported, "the Docker engine speaks API " + server.str() +
                                                  ", but docker-agentchat needs API " + kMinApiVersion.str() +
                                                  " (Docker Engine 20.10) or newer; upgrade the engine");
  }
  return std::min(server, kMaxApiVersion);
}

HttpEngine::HttpEngine(Endpoint endpoint) : transport_(std::move(endpoint)) {}

ApiVersion HttpEngine::apiVersion() {
  std::call_once(negotiated_, [this] {
    HttpRequest ping;
    ping.target = "/_ping";
    HttpResponse response = transport_.perform(ping);
    if (response.status != 200)
      throw errorFromResponse(response.status, response.body, "ping the Docker engine");
    version_ = negotiateApiVersion(response.header("api-version"));
  });
  return version_;
}

std::string HttpEngine::path(const std::string& resource) {
  return "/v" + apiVersion().str() + resource;
}

HttpResponse HttpEngine::call(HttpRequest request, const std::string& what, std::initializer_list<long> ok) {
  // An empty name makes "/containers//exec", which the engine answers with a redirect.
  if (request.target.find("//") != std::string::npos) {
    throw EngineError(ErrorKind::BadRequest, what + ": no container or volume name given");
  }
  HttpResponse response = transport_.perform(request);
  for (long status : ok) {
    if (response.status == status) return response;
  }
  throw errorFromResponse(response.status, response.body, what);
}

json HttpEngine::callJson(const std::string& method, const std::string& resource, const std::string& what,
                          std::optional<json> body, std::initializer_list<long> ok) {
  HttpRequest request;
  request.method = method;
  request.target = path(resource);
  if (body) request.jsonBody = body->dump();
  HttpResponse response = call(std::move(request), what, ok);
  if (response.body.empty()) return json();
  json parsed = json::parse(response.body, nullptr, false);
  if (parsed.is_discarded())
    throw EngineError(ErrorKind::Protocol, what + ": the engine answered with invalid JSON");
  return parsed;
}

VersionInfo HttpEngine::version() {
  return versionInfoFrom(callJson("GET", "/version", "read the engine version"));
}

json HttpEngine::info() {
  return callJson("GET", "/info", "read engine info");
}

json HttpEngine::systemDf() {
  return callJson("GET", "/system/df", "read disk usage");
}

std::vector<ContainerSummary> HttpEngine::listContainers(const Filters& filters, bool all) {
  QueryParams query{{"all", all ? "1" : "0"}};
  if (!filters.empty()) query.emplace_back("filters", encodeFilters(filters));
  return containerSummariesFrom(callJson("GET", "/containers/json" + encodeQuery(query), "list containers"));
}

ContainerInfo HttpEngine::inspectContainer(const std::string& idOrName) {
  return containerInfoFrom(
      callJson("GET", "/containers/" + percentEncode(idOrName) + "/json", "inspect container " + idOrName));
}

std::string HttpEngine::createContainer(const ContainerSpec& spec) {
  std::string resource = "/containers/create";
  if (!spec.name.empty()) resource += encodeQuery({{"name", spec.name}});
  json created = callJson("POST", resource, "create a container from image " + spec.image,
                          containerSpecJson(spec), {201});
  return str(created, "Id");
}

void HttpEngine::startContainer(const std::string& id) {
  callJson("POST", "/containers/" + percentEncode(id) + "/start", "start container " + id, std::nullopt,
           {204, 304});
}

void HttpEngine::stopContainer(const std::string& id, int timeoutSeconds) {
  callJson("POST", "/containers/" + percentEncode(id) + "/stop?t=" + std::to_string(timeoutSeconds),
           "stop container " + id, std::nullopt, {204, 304});
}

void HttpEngine::pauseContainer(const std::string& id) {
  callJson("POST", "/containers/" + percentEncode(id) + "/pause", "pause container " + id, std::nullopt,
           {204});
}

void HttpEngine::unpauseContainer(const std::string& id) {
  callJson("POST", "/containers/" + percentEncode(id) + "/unpause", "unpause container " + id, std::nullopt,
           {204});
}

int HttpEngine::waitContainer(const std::string& id) {
  json result = callJson("POST", "/containers/" + percentEncode(id) + "/wait?condition=not-running",
                         "wait for container " + id);
  return result.value("StatusCode", -1);
}

void HttpEngine::removeContainer(const std::string& id, bool force) {
  callJson("DELETE", "/containers/" + percentEncode(id) + (force ? "?force=1&v=0" : "?v=0"),
           "remove container " + id, std::nullopt, {204});
}

ExecResult HttpEngine::exec(const std::string& container, const ExecSpec& spec, base::ChunkSink out,
                            base::ChunkSink err, base::ChunkSource in) {
  std::string program = spec.cmd.empty() ? std::string("?") : spec.cmd.front();
  std::string what = "run `" + program + "` in container " + container;
  json create = {{"AttachStdin", static_cast<bool>(in)},
                 {"AttachStdout", true},
                 {"AttachStderr", true},
                 {"Tty", false},
                 {"Cmd", spec.cmd},
                 {"Env", spec.env}};
  if (!spec.user.empty()) create["User"] = spec.user;
  if (!spec.workingDir.empty()) create["WorkingDir"] = spec.workingDir;
  json created = callJson("POST", "/containers/" + percentEncode(container) + "/exec", what, create, {201});
  ExecResult result;
  result.execId = str(created, "Id");
  // The program name only: arguments may be SQL, and the environment may carry a password.
  spdlog::debug("exec {} in {}: {}", result.execId, container.substr(0, 12), program);

  FrameDemuxer demux(std::move(out), std::move(err));
  std::string startBody = json{{"Detach", false}, {"Tty", false}}.dump();
  std::string target = path("/exec/" + result.execId + "/start");
  if (in || spec.timeoutSeconds > 0) {  // our own socket: poll() keeps the deadline
    std::optional<std::chrono::steady_clock::time_point> deadline;
    if (spec.timeoutSeconds > 0)
      deadline = std::chrono::steady_clock::now() + std::chrono::seconds(spec.timeoutSeconds);
    try {
      hijackedPost(
          transport_.endpoint(), target, startBody, std::move(in),
          [&demux](std::string_view chunk) { demux.feed(chunk); }, deadline);
    } catch (const ExecTimedOut&) {
      throw ExecTimedOut(what + ": still running after " + std::to_string(spec.timeoutSeconds) + " s (exec " +
                         result.execId + ")");
    }
  } else {
    HttpRequest start;
    start.method = "POST";
    start.target = target;
    start.jsonBody = startBody;
    start.download = [&demux](std::string_view chunk) { demux.feed(chunk); };
    call(std::move(start), what);
  }
  if (!demux.atBoundary()) {
    throw EngineError(ErrorKind::Protocol, what + ": the output stream ended in the middle of a frame");
  }
  result.stdoutBytes = demux.stdoutBytes();
  result.stderrBytes = demux.stderrBytes();

  // The stream closes when the process exits, but the engine records the exit code a moment later.
  auto delay = std::chrono::milliseconds(2);
  for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);;) {
    json state = inspectExec(result.execId);
    if (!state.value("Running", false) && state.contains("ExitCode") &&
        state["ExitCode"].is_number_integer()) {
      result.exitCode = state["ExitCode"].get<int>();
      return result;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      throw EngineError(ErrorKind::Protocol, what + ": the engine did not report an exit code within 30 s");
    }
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(200));
  }
}

json HttpEngine::inspectExec(const std::string& execId) {
  return callJson("GET", "/exec/" + percentEncode(execId) + "/json", "inspect exec " + execId);
}

PathStat HttpEngine::statPath(const std::string& container, const std::string& pathInContainer) {
  HttpRequest request;
  request.method = "HEAD";
  request.headOnly = true;
  request.target =
      path("/containers/" + percentEncode(container) + "/archive" + encodeQuery({{"path", pathInContainer}}));
  HttpResponse response = transport_.perform(request);
  if (response.status == 404) {
    // HEAD has no body: name both possibilities.
    throw EngineError(
        ErrorKind::NotFound,
        "stat " + pathInContainer + " in container " + container + ": no such container or path (HTTP 404)",
        404);
  }
  if (response.status != 200)
    throw errorFromResponse(response.status, response.body, "stat " + pathInContainer);
  return pathStatFrom(response);
}

PathStat HttpEngine::getArchive(const std::string& container, const std::string& pathInContainer,
                                base::ChunkSink tar) {
  HttpRequest request;
  request.target =
      path("/containers/" + percentEncode(container) + "/archive" + encodeQuery({{"path", pathInContainer}}));
  request.download = std::move(tar);
  return pathStatFrom(call(std::move(request), "copy " + pathInContainer + " out of container " + container));
}

void HttpEngine::putArchive(const std::string& container, const std::string& directory,
                            base::ChunkSource tar) {
  HttpRequest request;
  request.method = "PUT";
  request.target = path("/containers/" + percentEncode(container) + "/archive" +
                        encodeQuery({{"path", directory}, {"noOverwriteDirNonDir", "true"}}));
  request.upload = std::move(tar);
  call(std::move(request), "copy into " + directory + " of container " + container);
}

std::vector<VolumeInfo> HttpEngine::listVolumes(const Filters& filters) {
  std::string resource = "/volumes";
  if (!filters.empty()) resource += encodeQuery({{"filters", encodeFilters(filters)}});
  json list = callJson("GET", resource, "list volumes");
  std::vector<VolumeInfo> out;
  const json& volumes = json_fields::member(list, "Volumes");  // null when there are none
  if (volumes.is_array()) {
    for (const json& v : volumes) out.push_back(volumeInfoFrom(v));
  }
  return out;
}

VolumeInfo HttpEngine::inspectVolume(const std::string& name) {
  return volumeInfoFrom(callJson("GET", "/volumes/" + percentEncode(name), "inspect volume " + name));
}

VolumeInfo HttpEngine::createVolume(const VolumeSpec& spec) {
  json body = {
      {"Name", spec.name}, {"Driver", spec.driver}, {"Labels", spec.labels}, {"DriverOpts", spec.driverOpts}};
  return volumeInfoFrom(callJson("POST", "/volumes/create", "create volume " + spec.name, body, {201}));
}

void HttpEngine::removeVolume(const std::string& name, bool force) {
  callJson("DELETE", "/volumes/" + percentEncode(name) + (force ? "?force=1" : ""), "remove volume " + name,
           std::nullopt, {204});
}

bool HttpEngine::imageExists(const std::string& image) {
  return inspectImage(image).has_value();
}

std::optional<ImageInfo> HttpEngine::inspectImage(const std::string& image) {
  HttpRequest request;
  request.target = path("/images/" + percentEncode(image) + "/json");
  HttpResponse response = transport_.perform(request);
  if (response.status == 404) return std::nullopt;
  if (response.status != 200)
    throw errorFromResponse(response.status, response.body, "inspect image " + image);
  json body = json::parse(response.body, nullptr, false);
  if (body.is_discarded())
    throw EngineError(ErrorKind::Protocol,
                      "inspect image " + image + ": the engine answered with invalid JSON");
  return imageInfoFrom(body);
}

std::vector<std::string> HttpEngine::imageDigests(const std::string& image) {
  return imageInfoFrom(callJson("GET", "/images/" + percentEncode(image) + "/json", "inspect image " + image))
      .repoDigests;
}

}  // namespace dockerapi
