#include "plugin/migrate/migrate_checks.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <sstream>

#include "base/human_units.hpp"
#include "base/tar_file_reader.hpp"
#include "base/text_lines.hpp"
#include "dockerapi/errors.hpp"
#include "dockerapi/helper_container.hpp"
#include "dockerapi/image_identity.hpp"
#include "lister/lister_program.hpp"
#include "plugin/backup/lister_helper.hpp"
#include "plugin/backup/object_parts.hpp"
#include "plugin/databases/database_login.hpp"
#include "plugin/databases/mysql_client.hpp"
#include "plugin/databases/redis_client.hpp"
#include "volumes/s3/url.hpp"

namespace agentchat {

namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kGiB = 1024ull * 1024 * 1024;

std::uint64_t stackVolumeBytes(dockerapi::Engine& engine, const compose::Stack& stack) {
  std::uint64_t total = 0;
  auto df = engine.systemDf();
  for (const auto& v : df.value("Volumes", nlohmann::json::array())) {
    if (v.is_null()) continue;
    std::string name = v.value("Name", "");
    for (const auto& [key, volume] : stack.volumes) {
      auto size = v.value("/UsageData/Size"_json_pointer, std::int64_t{-1});
      if (volume.name == name && size > 0) total += static_cast<std::uint64_t>(size);
    }
  }
  return total;
}

// HOST and PORT of an endpoint URL (scheme://host[:port]), brackets of an IPv6 literal dropped.
std::pair<std::string, std::string> hostAndPort(const std::string& url, const std::string& hostHeader) {
  std::string port = url.rfind("http://", 0) == 0 ? "80" : "443", host = hostHeader;
  auto colon = host.rfind(':');
  if (colon != std::string::npos && host.find(']', colon) == std::string::npos) {
    port = host.substr(colon + 1);
    host.erase(colon);
  }
  if (host.size() > 1 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return {host, port};
}

// Whether a container on the target reaches the bucket's endpoint: the lister's `reach` mode in a
// helper on the engine's default network (the stack there talks to the bucket the same way). The
// image may have no shell or network tools, so the probe is the plugin's own static program.
CheckLine bucketReach(dockerapi::Engine& target, const std::string& image, const compose::Stack& stack,
                      const compose::ObjectSource& source,
                      const std::map<std::string, std::string>& environ) {
  std::string check = "objects " + source.name;
  std::string host, port;
  try {
    auto config = objectsConfig(source, stack.workingDir, environ);
    auto where = volumes::s3::buildTarget(config, config.bucket, "", {});
    std::tie(host, port) = hostAndPort(where.url, where.host);
  } catch (const std::exception& e) {
    return {check, CheckStatus::Warn, std::string("its endpoint is not known here: ") + e.what()};
  }
  const std::string stays = "the bucket stays where it is; ";
  if (target.version().arch != lister::architecture())
    return {check, CheckStatus::Warn,
            stays + "whether the target reaches " + host + ":" + port + " is not checked (its engine runs " +
                target.version().arch + ")"};
  std::string out, err;
  int exitCode = -1;
  try {
    auto helper = startListerHelper(target, image, {}, "migration check: bucket " + source.name, true);
    dockerapi::ExecSpec spec;
    spec.cmd = {kListerPath, "reach", host, port};
    spec.timeoutSeconds = 60;
    auto cap = [](std::string& to) {
      return [&to](std::string_view bytes) {
        if (to.size() < 4096) to.append(bytes.substr(0, 4096 - to.size()));
      };
    };
    exitCode = target.exec(helper.id(), spec, cap(out), cap(err)).exitCode;
  } catch (const std::exception& e) {
    return {check, CheckStatus::Warn,
            stays + "the probe of " + host + ":" + port + " could not run: " + e.what()};
  }
  if (exitCode == 0)
    return {check, CheckStatus::Ok,
            stays + "the target reaches " + host + ":" + port + " (" + base::firstLine(out) + ")"};
  return {check, CheckStatus::Warn,
          stays + "the target does not reach it: " + base::firstLine(err.empty() ? out : err) +
              "; the stack there cannot read its files until it can (network, DNS, firewall)"};
}

}  // namespace

const char* checkStatusName(CheckStatus status) {
  switch (status) {
    case CheckStatus::Ok:
      return "OK";
    case CheckStatus::Warn:
      return "WARN";
    default:
      return "FAIL";
  }
}

bool MigrationChecks::failed() const {
  for (const auto& l : lines) {
    if (l.status == CheckStatus::Fail) return true;
  }
  return false;
}

std::uint64_t volumeSpaceFree(dockerapi::Engine& engine, const std::string& image) {
  dockerapi::VolumeSpec spec;
  spec.name = "agentchat-df-" + std::to_string(::getpid()) + "-" + std::to_string(std::time(nullptr));
  spec.labels = {{dockerapi::kHelperLabel, "true"}};
  engine.createVolume(spec);
  struct RemoveVolume {
    dockerapi::Engine& engine;
    std::string name;
    ~RemoveVolume() {
      try {
        engine.removeVolume(name, true);
      } catch (const std::exception&) {
      }
    }
  } removeVolume{engine, spec.name};
  std::string mount = dockerapi::HelperContainer::kVolumeMount;
  std::string free;
  {
    auto helper = dockerapi::HelperContainer(
        engine, image, {{dockerapi::MountSpec::Type::Volume, spec.name, mount, false}}, "free space check",
        {"sh", "-c", "df -Pk \"$0\" | tail -n 1 | awk '{print $4}' > \"$0/.free\"", mount});
    engine.startContainer(helper.id());
    if (engine.waitContainer(helper.id()) != 0) throw std::runtime_error("df failed in a helper container");
    base::TarFileReader reader([&](std::string_view chunk) { free.append(chunk); });
    engine.getArchive(helper.id(), mount + "/.free", [&](std::string_view chunk) { reader.feed(chunk); });
    reader.finish();
  }
  return std::stoull(free) * 1024;
}

MigrationChecks checkMigration(dockerapi::Engine& source, const compose::Stack& stack,
                               dockerapi::Engine& target, const std::string& targetName,
                               const fs::path& targetDir, const std::map<std::string, std::string>& environ) {
  MigrationChecks out;
  auto add = [&](std::string check, CheckStatus status, std::string detail) {
    out.lines.push_back({std::move(check), status, std::move(detail)});
  };
  auto sourceVersion = source.version();
  add("source engine", CheckStatus::Ok,
      "Docker " + sourceVersion.engineVersion + ", API " + source.apiVersion().str() + " at " +
          source.endpointName());
  try {
    auto version = target.version();
    add("target engine", CheckStatus::Ok,
        "Docker " + version.engineVersion + ", API " + target.apiVersion().str() + " at " + targetName);
  } catch (const dockerapi::EngineError& e) {
    add("target engine", CheckStatus::Fail, e.what());
    return out;  // nothing more can be asked of it
  }

  auto info = target.info();
  int cpus = info.value("NCPU", 0);
  add("target CPUs", cpus >= 4 ? CheckStatus::Ok : CheckStatus::Warn,
      std::to_string(cpus) + (cpus >= 4 ? "" : " (the guide asks for at least 4)"));
  auto memory = info.value("MemTotal", std::uint64_t{0});
  add("target memory", memory >= 8 * kGiB ? CheckStatus::Ok : CheckStatus::Warn,
      base::humanBytes(memory) + (memory >= 8 * kGiB ? "" : " (the guide asks for at least 8 GiB)"));

  // Images: compose on the target needs each one; a registry image it can pull, a local one not.
  std::vector<std::string> missingLocal, missingPullable, differing;
  for (const auto& [name, service] : stack.services) {
    if (service.image.empty()) continue;
    auto onTarget = target.inspectImage(service.image);
    auto onSource = source.inspectImage(service.imageId.empty() ? service.image : service.imageId);
    if (onTarget) {
      if (out.targetHelperImage.empty()) out.targetHelperImage = service.image;
      // By content, not by Id: an Engine 29 on the containerd store names the same image by another Id.
      if (onSource) {
        auto same = dockerapi::compareImages(*onSource, *onTarget);
        if (same.match == dockerapi::ImageMatch::Different)
          differing.push_back(service.image + " (" + same.reason + ")");
      }
      continue;
    }
    bool pullable = onSource && !onSource->repoDigests.empty();
    (pullable ? missingPullable : missingLocal).push_back(service.image);
  }
  if (!missingLocal.empty()) {
    add("target images", CheckStatus::Fail,
        fmt::format(
            "missing: {}; they exist only on the source (built or imported), so compose cannot pull them: "
            "copy each with docker save IMAGE | docker -H {} load",
            fmt::join(missingLocal, ", "), targetName));
  } else if (!missingPullable.empty()) {
    add("target images", CheckStatus::Warn,
        fmt::format("missing: {} (docker compose up will pull them)", fmt::join(missingPullable, ", ")));
  } else {
    add("target images", CheckStatus::Ok, "all " + std::to_string(stack.services.size()) + " present");
  }
  if (!differing.empty()) {
    add("target image versions", CheckStatus::Warn,
        fmt::format(
            "not the images the source runs: {}; docker compose up on the target runs these: copy the "
            "source's with docker save IMAGE | docker -H {} load, or pull the same tag there",
            fmt::join(differing, "; "), targetName));
  }

  // The target's volumes of these names must not exist: the migration never overwrites data there.
  std::vector<std::string> existing;
  for (const auto& [key, volume] : stack.volumes) {
    try {
      target.inspectVolume(volume.name);
      existing.push_back(volume.name);
    } catch (const dockerapi::EngineError& e) {
      if (e.kind() != dockerapi::ErrorKind::NotFound) throw;
    }
  }
  add("target volumes", existing.empty() ? CheckStatus::Ok : CheckStatus::Fail,
      existing.empty()
          ? "none of the stack's volumes exists there yet"
          : fmt::format("already there: {}; the migration never overwrites them (remove them on the "
                        "target, or migrate under another project name)",
                        fmt::join(existing, ", ")));

  out.bytesToMove = stackVolumeBytes(source, stack);
  if (out.targetHelperImage.empty()) {
    add("target space", CheckStatus::Fail, "no image of the stack on the target to run the check with");
  } else {
    auto free = volumeSpaceFree(target, out.targetHelperImage);
    bool fits = out.bytesToMove + out.bytesToMove / 10 < free;  // a tenth to spare
    add("target space", fits ? CheckStatus::Ok : CheckStatus::Fail,
        base::humanBytes(out.bytesToMove) + " to move, " + base::humanBytes(free) +
            " free where the target keeps volumes" +
            (fits ? "" : ": not enough (free space there, or move less)"));
  }

  std::error_code ec;
  bool dirUsable = !fs::exists(targetDir, ec) || fs::is_empty(targetDir, ec);
  add("target directory", dirUsable ? CheckStatus::Ok : CheckStatus::Fail,
      targetDir.string() + (dirUsable ? " (compose files, .env and bind-mounted files go here)"
                                      : " is not empty: name a new or empty directory with --target-dir"));

  for (const auto& objects : stack.settings.objects) {
    if (out.targetHelperImage.empty()) {
      add("objects " + objects.name, CheckStatus::Warn,
          "whether the target reaches the bucket is not checked: no image of the stack there to run it in");
    } else {
      out.lines.push_back(bucketReach(target, out.targetHelperImage, stack, objects, environ));
    }
  }

  for (const auto& [name, service] : stack.services) {
    if (service.role != compose::Role::Mysql && service.role != compose::Role::Redis) continue;
    std::string container = runningContainer(service);
    std::string error;
    bool alive = false;
    if (!container.empty()) {
      if (service.role == compose::Role::Mysql) {
        auto login = databaseLogin(source, service);
        alive = login && MysqlClient(source, container, name, *login).ping(error);
      } else {
        alive = RedisClient(source, container, name, databaseLogin(source, service)).ping(error);
      }
    }
    add("source " + name, alive ? CheckStatus::Ok : CheckStatus::Fail,
        alive ? "alive"
              : (container.empty() ? "not running: start it (docker compose up -d " + name + ")" : error));
  }
  return out;
}

}  // namespace agentchat
