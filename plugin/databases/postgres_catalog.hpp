#pragma once
// What a PostgreSQL backup records of a server and its databases, read with SQL: the databases to
// dump, and per database its tables (rows and columns), sequences and extensions — what a restore is
// checked against, and what compat compares.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "plugin/databases/postgres_client.hpp"

namespace agentchat {

struct PostgresSurvey {
  int versionNumber = 0;  // server_version_num, e.g. 150018
  std::string version;    // server_version, e.g. "15.18 (Debian 15.18-0+deb12u1)"
  std::vector<std::string> databases;
  bool standby = false;  // in recovery: a replica, which cannot export a snapshot
};

// The server's version and the databases to dump: those `wanted` names (each must exist), else every
// database that is not a template and accepts connections. Throws PostgresError.
PostgresSurvey surveyPostgres(PostgresClient& client, const std::vector<std::string>& wanted);

// One query whose result is the database's catalog as JSON:
//   {"tables": {"schema.table": {"rows": N, "columns": [[name, type, nullable], ...]}},
//    "sequences": {"schema.seq": last_value or null}, "extensions": {"name": "version"}}
// Row counts are exact (count(*) per table), read in the snapshot of the transaction it runs in.
// Tables that belong to an extension are left out: the extension brings them back.
const std::string& postgresCatalogQuery();
// Only the tables' columns, {"schema.table": [[name, type, nullable], ...]}: what compat compares,
// without counting any row.
const std::string& postgresColumnsQuery();
// Its "sequences" part alone, a JSON expression: {"schema.seq": last_value or null}. Sequences ignore
// snapshots, so a backup reads them while the writers are paused; a restore checks that each is at
// least that (the dump read them later, and the apps go on using them).
const std::string& postgresSequencesQuery();

// A catalog's tables and their row counts as text, {"schema.table": "455"}: what a migration compares.
std::map<std::string, std::string> postgresRowCounts(const nlohmann::json& catalog);

// 150018 -> 15: the major version (before 10, the first two numbers: 90624 -> 906, for 9.6).
int postgresMajor(int versionNumber);

// What differs between a recorded catalog and the live one, for a person: "table public.t: 3 rows,
// expected 5", "sequence public.s: 7, expected at least 100001", "extension pgcrypto missing".
std::vector<std::string> postgresCatalogProblems(const nlohmann::json& expected, const nlohmann::json& live);

}  // namespace agentchat
