#include "plugin/databases/postgres_load.hpp"

#include "base/text_lines.hpp"
#include "plugin/databases/postgres_dump.hpp"

namespace agentchat {

namespace {

// psql's and pg_restore's "ERROR: ..." line, else the first line they printed.
std::string errorLine(const std::string& text) {
  auto at = text.find("ERROR:");
  return base::firstLine(at == std::string::npos ? text : text.substr(at));
}

// A client tool's run with its stderr kept (the start of it) for the error message.
void runTool(PostgresClient& client, const std::vector<std::string>& cmd, base::ChunkSource in) {
  std::string errors;
  auto result = client.run(
      cmd, [](std::string_view) {},
      [&](std::string_view e) {
        if (errors.size() < 4096) errors.append(e);
      },
      std::move(in));
  if (result.exitCode != 0)
    throw PostgresError(cmd.front() + " exited with " + std::to_string(result.exitCode) + ": " +
                        errorLine(errors));
}

}  // namespace

void loadPostgresRoles(PostgresClient& client, const std::string& script) {
  std::string sql = postgresGlobalsForRestore(script, client.user());
  runTool(client,
          {"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-d",
           PostgresClient::kMaintenanceDatabase},
          base::bytesSource(sql));
}

void recreatePostgresDatabase(PostgresClient& client, const std::string& database, base::ChunkSource dump) {
  std::string drop = "DROP DATABASE IF EXISTS " + quotePgIdentifier(database);
  if (client.serverVersionNumber() >= 130000) {
    client.execute(PostgresClient::kMaintenanceDatabase, drop + " WITH (FORCE)");
  } else {
    client.execute(PostgresClient::kMaintenanceDatabase,
                   "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = " +
                       quotePgLiteral(database) + " AND pid <> pg_backend_pid()");
    client.execute(PostgresClient::kMaintenanceDatabase, drop);
  }
  runTool(client,
          {"pg_restore", "--create", "--exit-on-error",
           "--dbname=" + std::string(PostgresClient::kMaintenanceDatabase)},
          std::move(dump));
}

}  // namespace agentchat
