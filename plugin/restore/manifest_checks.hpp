#pragma once
// After loading a backup (the restore drill, a restore): does the server hold what the manifest
// says? Each problem is a sentence naming the table or database.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "plugin/databases/mysql_client.hpp"
#include "plugin/databases/redis_client.hpp"

namespace agentchat {

// Rows per table ("db.table" -> count as text), all counted in one query (one exec).
std::map<std::string, std::string> rowCounts(MysqlClient& client, const std::vector<std::string>& tables);

// Every table of details.mysql.<service>: present, same column fingerprint, same row count.
std::vector<std::string> mysqlProblems(MysqlClient& client, const nlohmann::json& detail);
// Key counts per database of details.redis.<service>; fewer is fine where keys carry a TTL.
std::vector<std::string> redisProblems(RedisClient& client, const nlohmann::json& detail);

}  // namespace agentchat
