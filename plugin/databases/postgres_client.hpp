#pragma once
// Talks to a PostgreSQL server by running its own client tools inside its container, over the
// server's local socket. The login travels in the exec's environment (PGUSER, PGPASSWORD), never in
// any process's arguments; the official image trusts the socket, and a password is used where not.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/streams.hpp"
#include "compose/credentials.hpp"
#include "dockerapi/engine.hpp"

namespace agentchat {

class PostgresError : public base::Error {
 public:
  using base::Error::Error;
};

class PostgresClient {
 public:
  PostgresClient(dockerapi::Engine& engine, std::string container, std::string service,
                 compose::DatabaseLogin login);

  // Runs SQL in `database` whose one result is a JSON value (json_agg, json_build_object, ...);
  // a NULL result (json_agg of no rows) is null. Throws PostgresError with the server's words.
  nlohmann::json queryJson(const std::string& database, const std::string& sql);
  // SQL with no result worth reading, ON_ERROR_STOP: the first error throws.
  void execute(const std::string& database, const std::string& sql);
  // "150018": the server's version number (major * 10000 + minor from 10 on).
  int serverVersionNumber();

  // A client tool (psql, pg_dump, pg_restore, pg_dumpall) with the login; streams its output.
  dockerapi::ExecResult run(const std::vector<std::string>& cmd, base::ChunkSink out, base::ChunkSink err,
                            base::ChunkSource in = {});
  // The exec's environment carrying the login.
  std::vector<std::string> loginEnv() const;
  const std::string& service() const { return service_; }
  const std::string& user() const { return login_.user; }
  const std::string& container() const { return container_; }
  dockerapi::Engine& engine() { return engine_; }

  // The database every cluster has and no app uses: where databases are dropped and created from.
  static constexpr const char* kMaintenanceDatabase = "template1";

 private:
  std::string psql(const std::string& database, const std::string& sql);

  dockerapi::Engine& engine_;
  std::string container_;
  std::string service_;
  compose::DatabaseLogin login_;
};

// "my db" -> "\"my db\"": any name is safe in a statement.
std::string quotePgIdentifier(const std::string& name);
// "dbname='my db'": a database name as a connection string, so that a name holding '=' or starting
// "postgresql://" is never read as connection settings by psql -d or pg_dump --dbname.
std::string pgConnectionString(const std::string& database);
// 'it''s': a string literal.
std::string quotePgLiteral(const std::string& text);

}  // namespace agentchat
