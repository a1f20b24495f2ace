#include "plugin/restore/postgres_drill.hpp"

#include <chrono>

#include "plugin/databases/postgres_catalog.hpp"
#include "plugin/databases/postgres_load.hpp"
#include "plugin/guard/serving.hpp"
#include "plugin/restore/throwaway.hpp"
#include "volumes/part_reader.hpp"

namespace agentchat {

using nlohmann::json;

namespace {

std::vector<std::string> strings(const json& detail, const char* key) {
  std::vector<std::string> out;
  if (detail.contains(key) && detail[key].is_array()) {
    for (const auto& item : detail[key]) out.push_back(item.get<std::string>());
  }
  return out;
}

std::string readWhole(const volumes::BackupRef& backup, const volumes::PartRecord& part,
                      const volumes::PartKeys* keys) {
  volumes::PartReader reader(backup.open(part), part, keys);
  std::string text;
  std::vector<char> buffer(64 * 1024);
  while (std::size_t n = reader.read(buffer.data(), buffer.size())) text.append(buffer.data(), n);
  return text;
}

}  // namespace

std::vector<DrillResult> postgresDrill(dockerapi::Engine& engine, const volumes::Manifest& manifest,
                                       const std::string& service, const volumes::BackupRef& backup,
                                       const volumes::PartKeys* keys) {
  using Clock = std::chrono::steady_clock;
  std::vector<const volumes::PartRecord*> parts;  // the roles script first, then the dumps
  for (const auto& part : manifest.parts) {
    if (part.service != service) continue;
    if (part.knownKind() == volumes::PartKind::PostgresGlobals) parts.insert(parts.begin(), &part);
    if (part.knownKind() == volumes::PartKind::PostgresDump) parts.push_back(&part);
  }
  std::vector<DrillResult> results;
  for (const auto* part : parts) results.push_back({part->name, false, {}, 0});
  auto started = Clock::now();
  auto failAll = [&](const std::string& why) {
    for (auto& r : results) {
      if (r.ok || !r.problems.empty()) continue;
      r.problems.push_back(why);
    }
  };
  try {
    const json& detail = manifest.details.at("postgres").at(service);
    // The service's own superuser name (ownership in the dumps), with a password of the drill's.
    compose::DatabaseLogin login{detail.value("login", std::string("postgres")),
                                 compose::Secret(drillToken()), false, "drill"};
    dockerapi::ContainerSpec spec;
    spec.image = detail.at("image").get<std::string>();
    auto image = engine.inspectImage(spec.image);
    if (!image) {
      throw std::runtime_error("image " + spec.image +
                               " (which the service ran) is not on this engine: pull it");
    }
    if (auto entrypoint = strings(detail, "entrypoint"); !entrypoint.empty()) spec.entrypoint = entrypoint;
    spec.cmd = strings(detail, "command");
    spec.env = {"POSTGRES_USER=" + login.user, "POSTGRES_PASSWORD=" + login.password.reveal()};
    Throwaway box(engine, spec, image->volumes, "verify --deep " + service);
    engine.startContainer(box.id());
    compose::StackService drillService;
    drillService.name = service + " (drill)";
    drillService.role = compose::Role::Postgres;
    waitUntilServing(engine, drillService, box.id(), login);
    PostgresClient client(engine, box.id(), drillService.name, login);

    for (std::size_t i = 0; i < parts.size(); ++i) {
      const auto& part = *parts[i];
      auto& result = results[i];
      auto partStarted = i == 0 ? started : Clock::now();  // the first part's time has the server's start
      if (part.knownKind() == volumes::PartKind::PostgresGlobals) {
        loadPostgresRoles(client, readWhole(backup, part, keys));  // the dumps need their owners
      } else {
        try {
          const std::string& database = part.source;
          volumes::PartReader reader(backup.open(part), part, keys);
          recreatePostgresDatabase(client, database, reader.source());
          const json& expected = detail.at("databases").at(database);
          result.problems =
              postgresCatalogProblems(expected, client.queryJson(database, postgresCatalogQuery()));
        } catch (const std::exception& e) {
          result.problems.push_back(e.what());
        }
      }
      result.ok = result.problems.empty();
      result.seconds = std::chrono::duration<double>(Clock::now() - partStarted).count();
    }
  } catch (const std::exception& e) {
    failAll(e.what());
  }
  for (auto& r : results) {
    if (r.seconds == 0) r.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  }
  return results;
}

}  // namespace agentchat
