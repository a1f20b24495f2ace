#include "plugin/restore/postgres_steps.hpp"

#include "plugin/databases/database_login.hpp"
#include "plugin/databases/postgres_catalog.hpp"
#include "plugin/databases/postgres_client.hpp"
#include "plugin/databases/postgres_load.hpp"
#include "volumes/part_reader.hpp"

namespace agentchat {

using nlohmann::json;

namespace {

PostgresClient clientFor(RestoreContext& ctx, const std::string& serviceName) {
  const auto& service = ctx.stack.services.at(serviceName);
  std::string container = liveContainer(ctx.engine, service);
  if (container.empty()) throw RestoreStepFailed("service " + service.name + " is not running");
  auto login = databaseLogin(ctx.engine, service);
  if (!login) {
    throw RestoreStepFailed("service " + service.name +
                            ": no PostgreSQL login in its container's environment (POSTGRES_PASSWORD or "
                            "POSTGRES_PASSWORD_FILE)");
  }
  return PostgresClient(ctx.engine, container, service.name, *login);
}

const json& serverDetail(RestoreContext& ctx, const RestoreItem& item) {
  return ctx.manifest.details.at("postgres").at(item.part.service);
}

// A dump (or roles script) of a newer major version than the server's: refused before anything is
// changed, since pg_restore cannot read it. Returns the server's version number.
int refuseNewerMajor(RestoreContext& ctx, const RestoreItem& item, PostgresClient& client) {
  int backupVersion = serverDetail(ctx, item).value("versionNumber", 0);
  int liveVersion = client.serverVersionNumber();
  if (postgresMajor(backupVersion) > postgresMajor(liveVersion)) {
    throw RestoreStepFailed("service " + item.service + " runs PostgreSQL " +
                            std::to_string(postgresMajor(liveVersion)) + ", older than the " +
                            std::to_string(postgresMajor(backupVersion)) + " that wrote " + item.part.name +
                            ": pg_restore cannot load a newer server's dump; run the service on PostgreSQL " +
                            std::to_string(postgresMajor(backupVersion)) + " or later");
  }
  return liveVersion;
}

}  // namespace

void restorePostgresGlobals(RestoreContext& ctx, const RestoreItem& item) {
  auto client = clientFor(ctx, item.service);
  refuseNewerMajor(ctx, item, client);
  std::string script;
  {
    volumes::PartReader reader(ctx.backup.open(item.part), item.part, ctx.keys);
    std::vector<char> buffer(64 * 1024);
    while (std::size_t n = reader.read(buffer.data(), buffer.size())) script.append(buffer.data(), n);
  }
  try {
    loadPostgresRoles(client, script);
  } catch (const PostgresError& e) {
    throw RestoreStepFailed("restoring the roles of service " + item.service + " (" + item.part.name +
                            ") failed: " + e.what());
  }
}

void loadPostgresDump(RestoreContext& ctx, const RestoreItem& item) {
  auto client = clientFor(ctx, item.service);
  const std::string& database = item.part.source;
  refuseNewerMajor(ctx, item, client);
  volumes::PartReader reader(ctx.backup.open(item.part), item.part, ctx.keys);
  auto& shown = ctx.progress.add(item.part.name);
  try {
    recreatePostgresDatabase(client, database, countedPart(reader, shown));
  } catch (const PostgresError& e) {
    throw RestoreStepFailed("loading " + item.part.name + " into database " + database + " of service " +
                            item.service + " failed: " + e.what());
  }
  ctx.progress.finished(shown, item.part.size);
}

std::vector<std::string> postgresProblems(RestoreContext& ctx, const RestoreItem& item) {
  auto client = clientFor(ctx, item.service);
  const std::string& database = item.part.source;
  const auto& expected = serverDetail(ctx, item).at("databases").at(database);
  auto live = client.queryJson(database, postgresCatalogQuery());
  auto problems = postgresCatalogProblems(expected, live);
  for (auto& p : problems) p = "database " + database + ": " + p;
  return problems;
}

}  // namespace agentchat
