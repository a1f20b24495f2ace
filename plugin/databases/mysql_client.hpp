#pragma once
// Talks to a MySQL/MariaDB server by running its own client inside its container. The password
// travels in the exec's environment (MYSQL_PWD), never in any process's arguments.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "compose/credentials.hpp"
#include "dockerapi/engine.hpp"

namespace agentchat {

// Client program names in this image: MariaDB 11 images have only mariadb-*; MySQL images only mysql*.
struct MysqlTools {
  std::string client;  // mariadb | mysql
  std::string dump;    // mariadb-dump | mysqldump
  std::string admin;   // mariadb-admin | mysqladmin
};

class MysqlError : public base::Error {
 public:
  using base::Error::Error;
};

class MysqlClient {
 public:
  MysqlClient(dockerapi::Engine& engine, std::string container, std::string service,
              compose::DatabaseLogin login);

  const MysqlTools& tools();
  // Runs SQL; returns rows of columns (batch output unescaped; NULL as std::nullopt).
  using Row = std::vector<std::optional<std::string>>;
  std::vector<Row> query(const std::string& sql);
  // The same, a row at a time as the client prints it: a table of any size in bounded memory.
  void query(const std::string& sql, const std::function<void(Row&)>& each);
  // One value of a single-row, single-column query.
  std::optional<std::string> scalar(const std::string& sql);
  // `mysqladmin ping`: true when the server is alive and accepts our login.
  bool ping(std::string& error);

  // Runs a client program (dump, client, admin) with the login; streams its output.
  dockerapi::ExecResult run(const std::vector<std::string>& cmd, base::ChunkSink out, base::ChunkSink err,
                            base::ChunkSource in = {});
  const std::string& service() const { return service_; }

  // The exec environment carrying the password; exposed for the dump and restore flows.
  std::vector<std::string> loginEnv() const;
  std::vector<std::string> loginArgs() const;  // -u USER (no secret)

 private:
  dockerapi::Engine& engine_;
  std::string container_;
  std::string service_;
  compose::DatabaseLogin login_;
  std::optional<MysqlTools> tools_;
};

// `name` in backticks, backticks inside doubled: any name is safe in a statement.
std::string quoteIdentifier(const std::string& name);

// Batch-mode lines to rows: tab-separated, \t \n \\ \0 escaped, literal NULL for NULL.
std::vector<MysqlClient::Row> parseBatchOutput(const std::string& output);
MysqlClient::Row parseBatchLine(std::string_view line);

}  // namespace agentchat
