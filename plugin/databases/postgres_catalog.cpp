#include "plugin/databases/postgres_catalog.hpp"

#include <algorithm>

namespace agentchat {

using nlohmann::json;

PostgresSurvey surveyPostgres(PostgresClient& client, const std::vector<std::string>& wanted) {
  PostgresSurvey survey;
  auto info =
      client.queryJson(PostgresClient::kMaintenanceDatabase,
                       "SELECT json_build_object('num', current_setting('server_version_num')::int, "
                       "'version', current_setting('server_version'), 'standby', pg_is_in_recovery(), "
                       "'databases', "
                       "(SELECT json_agg(datname ORDER BY datname) FROM pg_database "
                       "WHERE NOT datistemplate AND datallowconn))");
  survey.versionNumber = info.at("num").get<int>();
  survey.version = info.at("version").get<std::string>();
  survey.standby = info.at("standby").get<bool>();
  std::vector<std::string> all;
  if (info.at("databases").is_array()) all = info.at("databases").get<std::vector<std::string>>();
  if (wanted.empty()) {
    survey.databases = all;
    return survey;
  }
  for (const auto& name : wanted) {
    if (std::find(all.begin(), all.end(), name) == all.end()) {
      throw PostgresError("service " + client.service() + ": database " + name +
                          " (named in x-agentchat databases) does not exist; it has: " + json(all).dump());
    }
    survey.databases.push_back(name);
  }
  return survey;
}

const std::string& postgresSequencesQuery() {
  // Sequences are not transactional: their values are read when asked, whatever the snapshot.
  static const std::string query =
      R"sql(COALESCE((SELECT json_object_agg(s.schemaname || '.' || s.sequencename, s.last_value)
    FROM pg_sequences s
    WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                      AND d.objid = format('%I.%I', s.schemaname, s.sequencename)::regclass AND d.deptype = 'e')),
  '{}'::json))sql";
  return query;
}

namespace {

// [[name, type, nullable], ...] of table c in column order.
const char* const kColumns =
    R"sql((SELECT json_agg(json_build_array(a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull)
                 ORDER BY a.attnum)
         FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped))sql";

// The application's tables (c, in schema n): not the system's, not temporary, not an extension's.
const char* const kApplicationTables = R"sql(
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND c.relpersistence <> 't'
      AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.deptype = 'e'))sql";

}  // namespace

const std::string& postgresCatalogQuery() {
  // query_to_xml runs the count inside this statement, so in this transaction's snapshot.
  static const std::string query = std::string(R"sql(SELECT json_build_object(
  'tables', COALESCE((SELECT json_object_agg(n.nspname || '.' || c.relname, json_build_object(
      'rows', (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname),
                                                 false, true, '')))[1]::text::bigint,
      'columns', )sql") + kColumns +
                                   "))" + kApplicationTables + R"sql(), '{}'::json),
  'sequences', )sql" + postgresSequencesQuery() +
                                   R"sql(,
  'extensions', COALESCE((SELECT json_object_agg(extname, extversion) FROM pg_extension), '{}'::json)))sql";
  return query;
}

const std::string& postgresColumnsQuery() {
  static const std::string query =
      std::string("SELECT COALESCE((SELECT json_object_agg(n.nspname || '.' || c.relname, ") + kColumns +
      ")" + kApplicationTables + "), '{}'::json)";
  return query;
}

std::map<std::string, std::string> postgresRowCounts(const json& catalog) {
  std::map<std::string, std::string> out;
  if (!catalog.is_object() || !catalog.contains("tables") || !catalog["tables"].is_object()) return out;
  for (const auto& [table, info] : catalog["tables"].items())
    out[table] = info.is_object() && info.contains("rows") ? info["rows"].dump() : "null";
  return out;
}

int postgresMajor(int versionNumber) {
  return versionNumber >= 100000 ? versionNumber / 10000 : versionNumber / 100;
}

std::vector<std::string> postgresCatalogProblems(const json& expected, const json& live) {
  std::vector<std::string> problems;
  auto section = [](const json& catalog, const char* name) -> json {
    if (catalog.is_object() && catalog.contains(name) && catalog[name].is_object()) return catalog[name];
    return json::object();
  };
  const json liveTables = section(live, "tables"), tables = section(expected, "tables");
  for (const auto& [table, info] : tables.items()) {
    if (!liveTables.contains(table)) {
      problems.push_back("table " + table + " missing");
      continue;
    }
    auto want = info.value("rows", json(nullptr)), got = liveTables[table].value("rows", json(nullptr));
    if (want != got)
      problems.push_back("table " + table + ": " + got.dump() + " rows, expected " + want.dump());
  }
  const json liveSequences = section(live, "sequences"), sequences = section(expected, "sequences");
  for (const auto& [sequence, value] : sequences.items()) {
    // Apps move sequences on (before the dump read them, and once started again): never back.
    const auto& got = liveSequences.contains(sequence) ? liveSequences[sequence] : json();
    if (!liveSequences.contains(sequence)) {
      problems.push_back("sequence " + sequence + " missing");
    } else if (value.is_number() && (!got.is_number() || got.get<double>() < value.get<double>())) {
      problems.push_back("sequence " + sequence + ": " + got.dump() + ", expected at least " + value.dump());
    }
  }
  const json liveExtensions = section(live, "extensions"), extensions = section(expected, "extensions");
  for (const auto& [extension, version] : extensions.items()) {
    if (!liveExtensions.contains(extension)) problems.push_back("extension " + extension + " missing");
  }
  return problems;
}

}  // namespace agentchat
