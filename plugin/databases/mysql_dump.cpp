#include "plugin/databases/mysql_dump.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

#include "plugin/databases/version_numbers.hpp"

namespace agentchat {

std::vector<std::string> dumpCommand(const MysqlTools& tools, const std::string& user, bool mariadb,
                                     const std::string& version, bool binlogOn,
                                     const std::vector<std::string>& databases) {
  std::vector<std::string> cmd{
      tools.dump,   "-u",       user,         "--single-transaction",           "--routines",
      "--triggers", "--events", "--hex-blob", "--default-character-set=utf8mb4"};
  if (!mariadb) cmd.push_back("--set-gtid-purged=OFF");  // MariaDB rejects it
  if (binlogOn) {
    // MySQL 8.0.26 renamed it --source-data and 8.4 dropped the old name; MariaDB keeps --master-data.
    bool sourceData = !mariadb && versionNumbers(version) >= std::vector<int>{8, 0, 26};
    cmd.push_back(sourceData ? "--source-data=2" : "--master-data=2");
  }
  cmd.push_back("--databases");
  cmd.insert(cmd.end(), databases.begin(), databases.end());
  return cmd;
}

std::optional<std::pair<std::string, std::uint64_t>> parseBinlogPosition(const std::string& head) {
  static const std::regex pattern(
      R"((?:MASTER|SOURCE)_LOG_FILE='([^']+)',\s*(?:MASTER|SOURCE)_LOG_POS=([0-9]+))");
  std::smatch match;
  if (!std::regex_search(head, match, pattern)) return std::nullopt;
  return std::pair{match[1].str(), std::stoull(match[2].str())};
}

MysqlDumpResult dumpMysql(MysqlClient& client, const std::vector<std::string>& databases,
                          const base::ChunkSink& sql, const std::function<void()>& onSnapshot) {
  return dumpMysql(client, surveyMysql(client, databases), sql, onSnapshot);
}

MysqlDumpResult dumpMysql(MysqlClient& client, const MysqlSurvey& survey, const base::ChunkSink& sql,
                          const std::function<void()>& onSnapshot) {
  bool snapshotTaken = false;
  auto snapshot = [&] {
    if (!snapshotTaken && onSnapshot) onSnapshot();
    snapshotTaken = true;
  };
  // However the dump ends, whoever waits for the snapshot must not wait forever.
  struct AtExit {
    std::function<void()> run;
    ~AtExit() { run(); }
  } atExit{snapshot};
  MysqlDumpResult result;
  result.serverVersion = survey.version;
  result.mariadb = survey.mariadb;
  bool binlogOn = survey.binlogOn;
  const auto& databases = survey.databases;
  if (databases.empty()) throw DumpFailed("service " + client.service() + ": no databases to dump");
  result.databases = databases;

  // Keep only what the checks need: the first lines (binlog position) and the last bytes (trailer).
  constexpr std::size_t kHead = 64 * 1024, kTail = 512;
  std::string head, tail, errors;
  auto cmd = dumpCommand(client.tools(), client.loginArgs()[1], result.mariadb, result.serverVersion,
                         binlogOn, databases);
  auto exec = client.run(
      cmd,
      [&](std::string_view chunk) {
        if (head.size() < kHead) head.append(chunk.substr(0, kHead - head.size()));
        if (!snapshotTaken &&
            (head.find("\n-- Current Database: ") != std::string::npos ||
             head.find("CHANGE MASTER") != std::string::npos ||
             head.find("CHANGE REPLICATION SOURCE") != std::string::npos || head.size() >= kHead)) {
          snapshot();
        }
        tail.append(chunk);
        if (tail.size() > kTail) tail.erase(0, tail.size() - kTail);
        result.bytes += chunk.size();
        sql(chunk);
      },
      [&](std::string_view chunk) {
        if (errors.size() < 4096) errors.append(chunk.substr(0, 4096 - errors.size()));
      });
  auto firstLine = [](const std::string& text) { return text.substr(0, text.find('\n')); };
  if (exec.exitCode != 0) {
    std::string why = firstLine(errors);
    if (exec.exitCode > 128 && why.empty()) {
      why = "it was killed (signal " + std::to_string(exec.exitCode - 128) +
            "): out of memory in the container, or stopped by someone";
    }
    throw DumpFailed("service " + client.service() + ": " + client.tools().dump + " failed (exit " +
                     std::to_string(exec.exitCode) + ")" + (why.empty() ? std::string{} : ": " + why));
  }
  if (tail.find("-- Dump completed") == std::string::npos) {
    throw DumpFailed("service " + client.service() +
                     ": the dump ended without its \"-- Dump completed\" line "
                     "(truncated output)" +
                     (errors.empty() ? std::string{} : ": " + firstLine(errors)));
  }
  if (auto position = parseBinlogPosition(head)) {
    result.binlogFile = position->first;
    result.binlogPosition = position->second;
  }
  return result;
}

}  // namespace agentchat
