#include "plugin/databases/postgres_client.hpp"

#include "base/text_lines.hpp"
#include "dockerapi/exec.hpp"

namespace agentchat {

std::string quotePgIdentifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

std::string pgConnectionString(const std::string& database) {
  std::string out = "dbname='";
  for (char c : database) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "'";
}

std::string quotePgLiteral(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  return out + "'";
}

PostgresClient::PostgresClient(dockerapi::Engine& engine, std::string container, std::string service,
                               compose::DatabaseLogin login)
    : engine_(engine),
      container_(std::move(container)),
      service_(std::move(service)),
      login_(std::move(login)) {}

std::vector<std::string> PostgresClient::loginEnv() const {
  // The server's or role's statement, lock and idle timeouts would cut a long count or an idle snapshot
  // session short (pg_dump turns them off for itself; our psql sessions do the same).
  std::vector<std::string> env{"PGUSER=" + login_.user, "PGAPPNAME=docker-agentchat", "PGCONNECT_TIMEOUT=20",
                               "PGOPTIONS=-c statement_timeout=0 -c lock_timeout=0 "
                               "-c idle_in_transaction_session_timeout=0"};
  if (!login_.password.empty()) env.push_back("PGPASSWORD=" + login_.password.reveal());
  return env;
}

dockerapi::ExecResult PostgresClient::run(const std::vector<std::string>& cmd, base::ChunkSink out,
                                          base::ChunkSink err, base::ChunkSource in) {
  return engine_.exec(container_, {cmd, loginEnv(), {}, {}}, std::move(out), std::move(err), std::move(in));
}

std::string PostgresClient::psql(const std::string& database, const std::string& sql) {
  // -X: no ~/.psqlrc; -At: bare values. The SQL is an argument, never shell text.
  auto result = dockerapi::execCapture(
      engine_, container_,
      {{"psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", pgConnectionString(database), "-c", sql},
       loginEnv(),
       {},
       {}});
  if (result.exitCode == 127 || result.exitCode == 126) {
    throw PostgresError("service " + service_ + ": psql is not installed (or not on PATH) in its image");
  }
  if (result.exitCode != 0) {
    std::string why = base::firstLine(result.err.empty() ? result.out : result.err);
    std::string hint;
    if (why.find("password authentication failed") != std::string::npos ||
        why.find("no password supplied") != std::string::npos) {
      hint = " (the login is " + login_.user + " with the password from " +
             (login_.source.empty() ? std::string("no variable") : login_.source) +
             "; the server's own password may have been changed since the volume was created)";
    }
    throw PostgresError("service " + service_ + ": psql on database " + database + " failed: " + why + hint);
  }
  return result.out;
}

nlohmann::json PostgresClient::queryJson(const std::string& database, const std::string& sql) {
  std::string out = psql(database, sql);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  if (out.empty()) return nullptr;
  try {
    return nlohmann::json::parse(out);
  } catch (const nlohmann::json::exception&) {
    throw PostgresError("service " + service_ +
                        ": psql answered something that is not JSON: " + base::firstLine(out));
  }
}

void PostgresClient::execute(const std::string& database, const std::string& sql) {
  psql(database, sql);
}

int PostgresClient::serverVersionNumber() {
  auto value = queryJson(kMaintenanceDatabase, "SELECT to_json(current_setting('server_version_num')::int)");
  if (!value.is_number_integer())
    throw PostgresError("service " + service_ + ": cannot read the server's version");
  return value.get<int>();
}

}  // namespace agentchat
