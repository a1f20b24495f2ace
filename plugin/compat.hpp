#pragma once
// The guide's version-rollback check, automated: what changed between a backup and the running
// stack, each finding rated low / medium / high with its reason. Pure: the caller supplies the
// manifest's details and what the live servers report.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "plugin/mysql_catalog.hpp"

namespace agentchat {

enum class Risk { Low, Medium, High };
const char* riskName(Risk risk);

struct Finding {
  Risk risk = Risk::Low;
  std::string subject;  // "mysql server", "agentchat.user", "agentchat.user.email", "redis"
  std::string change;   // what differs, backup -> live
  std::string reason;   // why it matters, and what to do
};

// `backup` is the manifest's details.mysql.<service>; `live` the running server's survey.
std::vector<Finding> compareMysql(const nlohmann::json& backup, const MysqlSurvey& live);

// The RDB format version each Redis release writes and the newest it can load.
int rdbVersionOf(const std::string& redisVersion);
// `rdbVersion` from the backed-up file's header ("REDIS0010" -> 10).
std::vector<Finding> compareRedis(int rdbVersion, const std::string& backupRedisVersion,
                                  const std::string& liveRedisVersion);

Risk worst(const std::vector<Finding>& findings);

}  // namespace agentchat
