#pragma once
// `status` for a PostgreSQL service, as the guide checks its databases: does it accept connections
// (pg_isready, with our login), connections against max_connections, replication lag (a standby's
// replay delay, a primary's replicas behind it), and the size of each database.
#include <nlohmann/json.hpp>
#include <vector>

#include "compose/stack.hpp"
#include "dockerapi/engine.hpp"
#include "plugin/status/health.hpp"

namespace agentchat {

void postgresChecks(dockerapi::Engine& engine, const compose::StackService& service,
                    std::vector<Check>& checks);

// The checks from the server's answer to postgresStatusQuery() (pure, for the tests).
std::vector<Check> postgresChecksFrom(const std::string& service, const nlohmann::json& answer);

}  // namespace agentchat
