// PostgreSQL's pure parts (issue #18): the plan, part names, the roles script as a restore runs it,
// the catalog comparison after a restore, and compat's findings.
#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "plugin/backup/backup_plan.hpp"
#include "plugin/backup/database_parts.hpp"
#include "plugin/compat/compat.hpp"
#include "plugin/databases/postgres_catalog.hpp"
#include "plugin/databases/postgres_client.hpp"
#include "plugin/databases/postgres_dump.hpp"
#include "plugin/restore/postgres_raw.hpp"
#include "plugin/status/postgres_checks.hpp"
#include "tests/unit/agentchat_stack.hpp"

using namespace agentchat;
using nlohmann::json;

namespace {

compose::Stack stackWithPostgres() {
  auto stack = agentchat_test::agentchatStack();
  auto& pg = stack.services["pg"];
  pg.name = "pg";
  pg.role = compose::Role::Postgres;
  pg.containers.push_back({"id-pg", "chat_pg_1", "running", std::nullopt, "sha256:2"});
  auto& v = stack.volumes["pg_data"];
  v.key = "pg_data";
  v.name = "chat_pg_data";
  v.exists = true;
  v.mountedBy.push_back({"pg", "/var/lib/postgresql/data"});
  return stack;
}

std::vector<std::string> names(const BackupPlan& plan) {
  std::vector<std::string> out;
  for (const auto& p : plan.parts) out.push_back(p.name);
  return out;
}

}  // namespace

TEST(PostgresPlan, OnlineTakesRolesAndDumpsNotTheRunningServersFiles) {
  auto plan = planBackup(stackWithPostgres(), {Consistency::Online, parseComponents("postgres,volumes")});
  EXPECT_EQ(names(plan), (std::vector<std::string>{"pg.globals.pgsql.zst", "volume-app_data.tar.zst"}));
  bool covered = false;
  for (const auto& note : plan.notes)
    covered = covered || note == "volume chat_pg_data: covered by the dump of service pg";
  EXPECT_TRUE(covered);
  // Stop: the data directory, copied raw with the server stopped.
  auto stop = planBackup(stackWithPostgres(), {Consistency::Stop, parseComponents("postgres,volumes")});
  auto stopNames = names(stop);
  EXPECT_NE(std::find(stopNames.begin(), stopNames.end(), "volume-pg_data.tar.zst"), stopNames.end());
  EXPECT_EQ(std::find(stopNames.begin(), stopNames.end(), "pg.globals.pgsql.zst"), stopNames.end());
}

TEST(PostgresPlan, EveryDatabaseGetsAPartWithAPlainFileNameThatKeepsItsOwnName) {
  PostgresSurvey survey{150018, "15.18", {"agentchat", "my db", "../etc", "Ünicode"}};
  auto parts = postgresDumpParts("pg", survey);
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[0].name, "pg.agentchat.pgdump.zst");
  EXPECT_EQ(parts[0].source, "agentchat");
  std::set<std::string> unique;
  for (const auto& p : parts) {
    EXPECT_EQ(p.name.find('/'), std::string::npos) << p.name;
    EXPECT_EQ(p.name.find(' '), std::string::npos) << p.name;
    EXPECT_EQ(p.kind, volumes::PartKind::PostgresDump);
    unique.insert(p.name);
  }
  EXPECT_EQ(unique.size(), 4u);
  EXPECT_EQ(parts[1].source, "my db");
  EXPECT_EQ(parts[1].name.rfind("pg.my_db-", 0), 0u) << parts[1].name;
}

TEST(PostgresGlobals, TheLoginKeepsItsPasswordAndExistingRolesAreKept) {
  std::string script =
      "\\restrict k3yFromPgDumpall\n"
      "--\n-- Roles\n--\n\n"
      "CREATE ROLE agentchat;\n"
      "ALTER ROLE agentchat WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS PASSWORD "
      "'SCRAM-SHA-256$4096:abc$def:ghi';\n"
      "CREATE ROLE reader;\n"
      "ALTER ROLE reader WITH NOSUPERUSER INHERIT LOGIN PASSWORD 'SCRAM-SHA-256$4096:xyz$uvw:rst';\n"
      "CREATE ROLE \"odd \"\"name\";\n"
      "ALTER ROLE \"odd \"\"name\" WITH NOLOGIN;\n"
      "GRANT pg_read_all_data TO reader GRANTED BY agentchat;\n"
      "--\n-- PostgreSQL database cluster dump complete\n--\n"
      "\\unrestrict k3yFromPgDumpall\n";
  std::string out = postgresGlobalsForRestore(script, "agentchat");
  EXPECT_EQ(out.find("restrict"), std::string::npos) << out;
  EXPECT_EQ(out.find("CREATE ROLE agentchat;"), std::string::npos) << out;
  EXPECT_NE(
      out.find(
          "ALTER ROLE agentchat WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS;"),
      std::string::npos)
      << out;
  EXPECT_EQ(out.find("abc$def"), std::string::npos) << out;
  // Other roles: created unless they exist, with their password hash as dumped.
  EXPECT_NE(
      out.find("DO $agentchat$ BEGIN CREATE ROLE reader; EXCEPTION WHEN duplicate_object THEN NULL; END "
               "$agentchat$;"),
      std::string::npos)
      << out;
  EXPECT_NE(out.find("PASSWORD 'SCRAM-SHA-256$4096:xyz$uvw:rst'"), std::string::npos) << out;
  EXPECT_NE(out.find("BEGIN CREATE ROLE \"odd \"\"name\"; EXCEPTION"), std::string::npos) << out;
  EXPECT_NE(out.find("GRANT pg_read_all_data TO reader GRANTED BY agentchat;"), std::string::npos);
  // A quoted login (a name that needs quotes) is recognised too.
  std::string quoted = postgresGlobalsForRestore(
      "CREATE ROLE \"App User\";\nALTER ROLE \"App User\" WITH LOGIN PASSWORD 'SCRAM-x';\n", "App User");
  EXPECT_EQ(quoted, "ALTER ROLE \"App User\" WITH LOGIN;\n");
}

TEST(PostgresCatalog, ProblemsNameWhatDiffers) {
  json expected = {{"tables",
                    {{"public.t", {{"rows", 5}, {"columns", json::array()}}},
                     {"public.gone", {{"rows", 1}, {"columns", json::array()}}}}},
                   {"sequences", {{"public.s", 100001}, {"public.never", nullptr}}},
                   {"extensions", {{"pgcrypto", "1.3"}}}};
  EXPECT_TRUE(postgresCatalogProblems(expected, expected).empty());
  json live = {{"tables", {{"public.t", {{"rows", 3}}}}},
               {"sequences", {{"public.s", 7}, {"public.never", nullptr}}},
               {"extensions", json::object()}};
  auto problems = postgresCatalogProblems(expected, live);
  std::set<std::string> got(problems.begin(), problems.end());
  EXPECT_EQ(got, (std::set<std::string>{"table public.t: 3 rows, expected 5", "table public.gone missing",
                                        "sequence public.s: 7, expected at least 100001",
                                        "extension pgcrypto missing"}));
  // The apps (and the dump, read after the pause) move sequences on: never a problem.
  json movedOn = expected;
  movedOn["sequences"]["public.s"] = 100033;
  EXPECT_TRUE(postgresCatalogProblems(expected, movedOn).empty());
  EXPECT_EQ(postgresMajor(150018), 15);
  EXPECT_EQ(postgresMajor(170012), 17);
  EXPECT_EQ(postgresMajor(90624), 906);  // 9.6: before 10, the first two numbers
}

TEST(PostgresCompat, ANewerMajorOrAMissingExtensionIsHighAnUpgradeLow) {
  json backup = {{"versionNumber", 170012},
                 {"databases", {{"app", {{"extensions", {{"vector", "0.7.0"}, {"plpgsql", "1.0"}}}}}}}};
  auto findings = comparePostgres("pg", backup, {150018, {"plpgsql", "pgcrypto"}, {}});
  ASSERT_EQ(findings.size(), 3u);
  EXPECT_EQ(findings[0].risk, Risk::High);
  EXPECT_EQ(findings[0].change, "PostgreSQL 17 -> 15");
  EXPECT_EQ(findings[1].risk, Risk::High);
  EXPECT_EQ(findings[1].subject, "pg extension vector");
  EXPECT_EQ(findings[2].risk, Risk::Low);  // the restore creates the database
  EXPECT_EQ(findings[2].subject, "pg database app");
  auto upgrade = comparePostgres("pg", {{"versionNumber", 150018}}, {170012, {}, {}});
  ASSERT_EQ(upgrade.size(), 1u);
  EXPECT_EQ(upgrade[0].risk, Risk::Low);
  EXPECT_TRUE(comparePostgres("pg", {{"versionNumber", 150018}}, {150020, {}, {}}).empty());
  EXPECT_EQ(quotePgIdentifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(quotePgLiteral("it's"), "'it''s'");
  EXPECT_EQ(pgConnectionString("a=b 'c' \\d"), "dbname='a=b \\'c\\' \\\\d'");
}

// Per table, as for MySQL: a column the running app expects and the backup lacks is high; the guide's
// modules raise what touches them (user system: medium at least).
TEST(PostgresCompat, EachTablesColumnsAreComparedAsForMysql) {
  auto columns = [](std::vector<std::tuple<std::string, std::string, bool>> list) {
    json out = json::array();
    for (const auto& [name, type, nullable] : list) out.push_back({name, type, nullable});
    return out;
  };
  json backup = {
      {"versionNumber", 150018},
      {"databases",
       {{"app",
         {{"tables",
           {{"public.user",
             {{"rows", 3},
              {"columns",
               columns({{"id", "bigint", false}, {"email", "text", true}, {"legacy", "text", true}})}}},
            {"public.gone", {{"rows", 1}, {"columns", columns({{"id", "integer", false}})}}},
            {"public.same", {{"rows", 1}, {"columns", columns({{"id", "integer", false}})}}}}}}}}}};
  PostgresTarget live{
      150018,
      {},
      {{"app",
        {{"public.user",
          {{"id", "bigint", false}, {"email", "character varying(80)", false}, {"phone", "text", true}}},
         {"public.same", {{"id", "integer", false}}},
         {"public.fresh", {{"id", "integer", false}}}}}}};
  std::set<std::tuple<std::string, std::string, Risk>> got;
  for (const auto& f : comparePostgres("pg", backup, live)) got.insert({f.subject, f.change, f.risk});
  EXPECT_EQ(got, (std::set<std::tuple<std::string, std::string, Risk>>{
                     {"app.public.user.email", "text -> character varying(80)", Risk::Medium},
                     {"app.public.user.email", "text NULL -> character varying(80) NOT NULL", Risk::Medium},
                     {"app.public.user.phone", "only in the running schema", Risk::High},
                     {"app.public.user.legacy", "only in the backup", Risk::Medium},
                     {"app.public.gone", "only in the backup", Risk::Low},
                     {"app.public.fresh", "only in the running schema", Risk::Medium}}));
}

TEST(PostgresStatus, ConnectionsReplicationAndSizesAreRatedAsTheGuideDoes) {
  json primary = {{"version", "15.18"},
                  {"connections", 95},
                  {"max", 100},
                  {"standby", false},
                  {"replayLagSeconds", nullptr},
                  {"replicas", json::array({{{"name", "replica1"}, {"lagBytes", 40 * 1024 * 1024}}})},
                  {"sizes", {{"app", 8 * 1024 * 1024}, {"postgres", 7 * 1024 * 1024}}}};
  auto checks = postgresChecksFrom("pg", primary);
  std::map<std::string, Check> byName;
  for (const auto& c : checks) byName[c.name] = c;
  EXPECT_EQ(byName.at("pg ready").severity, Severity::Ok);
  EXPECT_EQ(byName.at("pg connections").severity, Severity::Critical);
  EXPECT_EQ(byName.at("pg connections").detail.rfind("95/100", 0), 0u);
  EXPECT_EQ(byName.at("pg replication").severity, Severity::Warning);
  EXPECT_NE(byName.at("pg replication").detail.find("replica1"), std::string::npos);
  EXPECT_EQ(byName.at("pg databases").detail, "app 8.0 MiB, postgres 7.0 MiB");

  json standby = {{"version", "15.18"},     {"connections", 3},          {"max", 100},
                  {"standby", true},        {"replayLagSeconds", 400.5}, {"replicas", nullptr},
                  {"sizes", json::object()}};
  byName.clear();
  for (const auto& c : postgresChecksFrom("pg", standby)) byName[c.name] = c;
  EXPECT_EQ(byName.at("pg replication").severity, Severity::Critical);
  EXPECT_NE(byName.at("pg ready").detail.find("(standby)"), std::string::npos);
  // A lone primary has no replication check at all.
  json alone = primary;
  alone["replicas"] = nullptr;
  alone["connections"] = 5;
  byName.clear();
  for (const auto& c : postgresChecksFrom("pg", alone)) byName[c.name] = c;
  EXPECT_EQ(byName.count("pg replication"), 0u);
  EXPECT_EQ(byName.at("pg connections").severity, Severity::Ok);
}

// PG_VERSION files and PG_MAJOR values as postgresMajor() numbers majors.
TEST(PostgresRaw, MajorVersionsReadAsPostgresNumbersThem) {
  EXPECT_EQ(postgresMajorFromText("15\n"), 15);
  EXPECT_EQ(postgresMajorFromText("18"), 18);
  EXPECT_EQ(postgresMajorFromText("17.2 (Debian 17.2-1)"), 17);  // postgres -V, after "(PostgreSQL) "
  EXPECT_EQ(postgresMajorFromText("9.6\n"), 906);
  EXPECT_EQ(postgresMajorFromText("9"), std::nullopt);
  EXPECT_EQ(postgresMajorFromText(""), std::nullopt);
  EXPECT_EQ(postgresMajorFromText("x15"), std::nullopt);
}
