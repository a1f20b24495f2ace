#include "plugin/restore/postgres_raw.hpp"

#include <cctype>

#include "base/tar_walker.hpp"
#include "dockerapi/exec.hpp"
#include "volumes/part_reader.hpp"

namespace agentchat {

namespace {

// The PostgreSQL service that mounts the volume, if any.
const compose::StackService* postgresUser(const compose::Stack& stack, const std::string& volumeName) {
  for (const auto& [key, volume] : stack.volumes) {
    if (volume.name != volumeName) continue;
    for (const auto& [service, target] : volume.mountedBy) {
      auto it = stack.services.find(service);
      if (it != stack.services.end() && it->second.role == compose::Role::Postgres) return &it->second;
    }
  }
  return nullptr;
}

// PG_VERSION of the data directory in a volume's part: read up to it (it sorts before the data
// directory's lowercase entries), not through the whole part. The per-database copies under base/
// and tablespaces are not the directory's own.
std::optional<int> backupMajor(const volumes::BackupRef& backup, const volumes::PartRecord& part,
                               const volumes::PartKeys* keys) {
  std::string text;
  bool reading = false, found = false;
  base::TarWalker walker(
      [&](const base::TarEntry& entry) {
        std::string path = "/" + entry.name;
        bool own = entry.regular() && path.size() >= 11 &&
                   path.compare(path.size() - 11, 11, "/PG_VERSION") == 0 &&
                   path.find("/base/") == std::string::npos && path.find("/pg_tblspc/") == std::string::npos;
        reading = own && !found;
        found = found || own;
        return reading;
      },
      [&](std::string_view data) {
        if (reading) text.append(data);
      });
  volumes::PartReader reader(backup.open(part), part, keys);
  std::vector<char> buffer(64 * 1024);
  while (std::size_t n = reader.read(buffer.data(), buffer.size())) {
    walker.feed(std::string_view(buffer.data(), n));
    if (found && text.find('\n') != std::string::npos) break;
  }
  if (!found) return std::nullopt;
  return postgresMajorFromText(text);
}

std::optional<int> serviceMajor(dockerapi::Engine& engine, const compose::StackService& service) {
  for (const auto& c : service.containers) {
    auto info = engine.inspectContainer(c.id);
    for (const auto& variable : info.env) {
      if (variable.rfind("PG_MAJOR=", 0) == 0) {
        if (auto major = postgresMajorFromText(variable.substr(9))) return major;
      }
    }
    if (info.running) {
      auto version = dockerapi::execCapture(engine, c.id, {{"postgres", "-V"}, {}, {}, {}});
      auto at = version.out.find(") ");  // "postgres (PostgreSQL) 15.18 (Debian ...)"
      if (version.exitCode == 0 && at != std::string::npos) {
        if (auto major = postgresMajorFromText(version.out.substr(at + 2))) return major;
      }
    }
  }
  return std::nullopt;
}

std::string majorText(int major) {
  return major >= 10 && major < 100 ? std::to_string(major)
                                    : std::to_string(major / 100) + "." + std::to_string(major % 100);
}

}  // namespace

std::optional<int> postgresMajorFromText(const std::string& text) {
  std::size_t at = 0;
  auto number = [&]() -> std::optional<int> {
    std::size_t start = at;
    int value = 0;
    while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])) && at - start < 4)
      value = value * 10 + (text[at++] - '0');
    if (at == start) return std::nullopt;
    return value;
  };
  auto major = number();
  if (!major) return std::nullopt;
  if (*major >= 10) return major;  // 10 on: one number
  if (at >= text.size() || text[at] != '.') return std::nullopt;
  ++at;
  auto minor = number();
  if (!minor) return std::nullopt;
  return *major * 100 + *minor;  // 9.6 -> 906
}

std::vector<Finding> rawPostgresFindings(dockerapi::Engine& engine, const compose::Stack& target,
                                         const RestorePlan& plan, const volumes::BackupRef& backup,
                                         const volumes::PartKeys* keys) {
  std::vector<Finding> findings;
  for (const auto& item : plan.items) {
    if (item.kind != volumes::PartKind::Volume) continue;
    const auto* service = postgresUser(target, item.volume);
    if (service == nullptr) continue;
    auto wrote = backupMajor(backup, item.part, keys);
    if (!wrote) continue;  // not a data directory
    std::string subject = service->name + " data directory (volume " + item.volume + ")";
    auto runs = serviceMajor(engine, *service);
    if (!runs) {
      findings.push_back({Risk::High, subject, "PostgreSQL " + majorText(*wrote) + " -> unknown",
                          "cannot tell which PostgreSQL major version the service's image runs (no PG_MAJOR, "
                          "not running): a raw data directory starts only on " +
                              majorText(*wrote)});
      continue;
    }
    if (*runs == *wrote) continue;
    Finding refused{Risk::High, subject, "PostgreSQL " + majorText(*wrote) + " -> " + majorText(*runs),
                    "a raw data directory starts only on the major version that wrote it: run service " +
                        service->name + " on PostgreSQL " + majorText(*wrote) +
                        " to restore this backup, then move with a logical one (backup --consistency online, "
                        "restored into " +
                        majorText(*runs) + ")"};
    refused.refused = true;
    findings.push_back(std::move(refused));
  }
  return findings;
}

}  // namespace agentchat
