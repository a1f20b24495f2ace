#pragma once
// A logical dump of a MySQL/MariaDB service, streamed out of its container: consistent
// (--single-transaction), complete (routines, triggers, events, binary data as hex), and checked —
// a non-zero exit, error text or a missing "-- Dump completed" trailer is a failed dump.
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/streams.hpp"
#include "plugin/databases/mysql_catalog.hpp"
#include "plugin/databases/mysql_client.hpp"

namespace agentchat {

class DumpFailed : public base::Error {
 public:
  using base::Error::Error;
};

struct MysqlDumpResult {
  std::vector<std::string> databases;
  std::string serverVersion;
  bool mariadb = false;
  std::optional<std::string> binlogFile;  // from the dump's CHANGE MASTER comment, when binlog is on
  std::optional<std::uint64_t> binlogPosition;
  std::uint64_t bytes = 0;  // SQL bytes produced
};

// The dump command for this server (MySQL-only flags only on MySQL; binlog position when binlog is on).
std::vector<std::string> dumpCommand(const MysqlTools& tools, const std::string& user, bool mariadb,
                                     const std::string& version, bool binlogOn,
                                     const std::vector<std::string>& databases);

// Streams the dump's SQL to `sql`. Throws DumpFailed with the server's words on any failure.
// `onSnapshot` runs once the dump's transaction snapshot exists (its first per-database output
// appears only after START TRANSACTION WITH CONSISTENT SNAPSHOT), so writers paused around the
// start may resume; it also runs, at the latest, when the dump ends or fails.
MysqlDumpResult dumpMysql(MysqlClient& client, const MysqlSurvey& survey, const base::ChunkSink& sql,
                          const std::function<void()>& onSnapshot = {});
// The same, surveying the server first (`databases` empty: all but the server's own).
MysqlDumpResult dumpMysql(MysqlClient& client, const std::vector<std::string>& databases,
                          const base::ChunkSink& sql, const std::function<void()>& onSnapshot = {});

// "-- CHANGE MASTER TO MASTER_LOG_FILE='binlog.000002', MASTER_LOG_POS=339;" -> (file, pos)
std::optional<std::pair<std::string, std::uint64_t>> parseBinlogPosition(const std::string& dumpHead);

}  // namespace agentchat
