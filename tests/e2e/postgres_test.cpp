// Issue #18 on a real engine: a PostgreSQL 15 service (password from POSTGRES_PASSWORD_FILE, an
// extension, bytea, jsonb, arrays, sequences set by hand, a plpgsql trigger, views, a role with
// grants, a second database) backed up online as logical dumps, then `down -v`, `up` (a new server
// with other data) and restore: every table's rows, the sequences, function sources, triggers,
// views, extensions, roles and grants come back, and the stack's own password still logs in.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "dockerapi/context.hpp"
#include "dockerapi/exec.hpp"
#include "dockerapi/http_engine.hpp"
#include "e2e_support.hpp"
#include "holding_proxy.hpp"
#include "restore_stack.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::vector<std::string> kOverlays{"docker-compose.secrets.yml", "docker-compose.postgres.yml"};

std::string password(const e2e::RestoreStack& stack) {
  std::ifstream in(stack.dir() / "secrets/postgres_password");
  std::string line;
  std::getline(in, line);
  return line;
}

// psql in the service's container; over TCP with `login` (user, password) when given, else the
// socket the image trusts.
dockerapi::CapturedExec psql(dockerapi::Engine& engine, const e2e::RestoreStack& stack, const std::string& db,
                             const std::string& sql,
                             std::optional<std::pair<std::string, std::string>> login = {}) {
  dockerapi::ExecSpec spec;
  spec.cmd = {"psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-U", login ? login->first : "agentchat",
              "-d",   db,   "-c",  sql};
  if (login) {
    spec.cmd.insert(spec.cmd.begin() + 1, {"-h", "127.0.0.1"});
    spec.env = {"PGPASSWORD=" + login->second};
  }
  return dockerapi::execCapture(engine, stack.container("postgres"), spec);
}

bool waitForPostgres(dockerapi::Engine& engine, const e2e::RestoreStack& stack) {
  for (int i = 0; i < 240; ++i) {
    // Over TCP: the entrypoint's first-run server answers only on the socket.
    auto r = dockerapi::execCapture(engine, stack.container("postgres"),
                                    {{"pg_isready", "-h", "127.0.0.1", "-U", "agentchat"}, {}, {}, {}});
    if (r.exitCode == 0 && psql(engine, stack, "analytics", "SELECT 1").exitCode == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return false;
}

// Everything the restore must bring back, as text per item. Across major versions the server's own
// rendering of view definitions may change: `sameVersion` false compares what the views return.
std::map<std::string, std::string> fingerprint(dockerapi::Engine& engine, const e2e::RestoreStack& stack,
                                               bool sameVersion = true) {
  std::vector<std::pair<std::string, std::string>> checks{
      {"agentchat", "SELECT md5(string_agg(d::text, '|' ORDER BY id)) FROM docs d"},
      {"agentchat",
       "SELECT count(*) || ' ' || bool_and(digest = encode(digest(body, 'sha256'), 'hex')) FROM docs"},
      {"agentchat", "SELECT md5(string_agg(t::text, '|' ORDER BY tag)) FROM tag_counts t"},
      {"agentchat", "SELECT last_value || ' ' || is_called FROM invoice_no"},
      {"agentchat", "SELECT last_value || ' ' || is_called FROM docs_id_seq"},
      {"agentchat", "SELECT md5(prosrc) FROM pg_proc WHERE proname = 'docs_digest'"},
      {"agentchat",
       "SELECT string_agg(tgname || ':' || tgenabled::text, ',' ORDER BY tgname) FROM pg_trigger WHERE NOT "
       "tgisinternal"},
      {"agentchat", "SELECT md5(string_agg(e::text, '|' ORDER BY id)) FROM even_docs e"},
      {"agentchat", "SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension"},
      {"agentchat",
       "SELECT string_agg(grantee || ':' || table_name || ':' || privilege_type, ',' ORDER BY 1) FROM "
       "information_schema.role_table_grants WHERE grantee = 'reader'"},
      {"agentchat",
       "SELECT string_agg(rolname || ':' || rolcanlogin || ':' || rolsuper, ',' ORDER BY rolname) FROM "
       "pg_roles WHERE rolname !~ '^pg_'"},
      {"analytics", "SELECT md5(string_agg(e::text, '|' ORDER BY id)) FROM events e"},
      {"analytics",
       "SELECT string_agg(grantee || ':' || privilege_type, ',' ORDER BY 1) FROM "
       "information_schema.role_table_grants WHERE grantee = 'reader'"},
  };
  if (sameVersion) {
    checks.push_back({"agentchat", "SELECT md5(definition) FROM pg_views WHERE viewname = 'even_docs'"});
    checks.push_back(
        {"agentchat", "SELECT md5(definition) FROM pg_matviews WHERE matviewname = 'tag_counts'"});
  }
  std::map<std::string, std::string> out;
  for (const auto& [db, sql] : checks) {
    auto r = psql(engine, stack, db, sql);
    EXPECT_EQ(r.exitCode, 0) << db << ": " << sql << ": " << r.err;
    out[db + ": " + sql] = r.out;
  }
  return out;
}

}  // namespace

TEST(PostgresBackup, BackupDownVUpRestoreGivesBackEveryObjectAndTheStackStillLogsIn) {
  REQUIRE_ENGINE(engine);
  e2e::RestoreStack stack(engine, kOverlays);
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  ASSERT_TRUE(waitForPostgres(engine, stack));
  // Not just the init state: rows changed, a sequence advanced, the view refreshed.
  ASSERT_EQ(
      psql(
          engine, stack, "agentchat",
          "UPDATE docs SET body = gen_random_bytes(32) WHERE id % 7 = 0; DELETE FROM docs WHERE id % 11 = 0; "
          "SELECT nextval('invoice_no'); REFRESH MATERIALIZED VIEW tag_counts")
          .exitCode,
      0);
  auto before = fingerprint(engine, stack);

  // status and maintain know the service too.
  auto status = stack.plugin({"status", "--json"});
  std::map<std::string, json> checks;
  auto statusJson = json::parse(status.out);  // named: a range over a temporary's member would dangle
  for (const auto& c : statusJson["checks"]) checks[c["check"].get<std::string>()] = c;
  ASSERT_TRUE(checks.count("postgres ready")) << status.out;
  EXPECT_EQ(checks["postgres ready"]["status"], "OK") << status.out;
  EXPECT_EQ(checks["postgres connections"]["status"], "OK") << status.out;
  EXPECT_NE(checks["postgres databases"]["detail"].get<std::string>().find("analytics"), std::string::npos);
  auto maintain = stack.plugin({"maintain", "--analyze", "--json"});
  EXPECT_EQ(maintain.exitCode, 0) << maintain.out << maintain.err;
  int vacuumed = 0;
  auto maintained = json::parse(maintain.out);
  for (const auto& t : maintained["tables"]) vacuumed += t["operation"] == "vacuum" && t["ok"].get<bool>();
  EXPECT_EQ(vacuumed, 3) << maintain.out;
  EXPECT_EQ(fingerprint(engine, stack), before);

  auto backup = stack.plugin({"backup", "--json"});
  ASSERT_EQ(backup.exitCode, 0) << backup.err;
  std::string id = json::parse(backup.out)["id"].get<std::string>();
  auto manifest = json::parse(std::ifstream(stack.repo() / stack.project() / id / "manifest.json"));
  std::set<std::string> parts;
  for (const auto& p : manifest["parts"]) parts.insert(p["name"].get<std::string>());
  for (const char* name : {"postgres.globals.pgsql.zst", "postgres.agentchat.pgdump.zst",
                           "postgres.analytics.pgdump.zst", "postgres.postgres.pgdump.zst"})
    EXPECT_TRUE(parts.count(name)) << name << " not in " << manifest["parts"].dump();
  EXPECT_FALSE(parts.count("volume-postgres_data.tar.zst")) << "a running server's files copied raw";
  // Three snapshots taken inside the pause, the dumps after it.
  std::cout << "writers paused for " << manifest["details"]["pause"]["seconds"] << " s\n";
  EXPECT_LT(manifest["details"]["pause"]["seconds"].get<double>(), 10.0);
  const auto& detail = manifest["details"]["postgres"]["postgres"];
  EXPECT_EQ(detail["databases"]["agentchat"]["tables"]["public.docs"]["rows"], 500 - 45);
  EXPECT_EQ(detail["databases"]["analytics"]["tables"]["public.events"]["rows"], 200);
  EXPECT_TRUE(detail["databases"]["agentchat"]["extensions"].contains("pgcrypto")) << detail.dump();
  auto live = psql(engine, stack, "agentchat", "SHOW server_version_num");
  EXPECT_EQ(std::to_string(detail["versionNumber"].get<int>()) + "\n", live.out);
  // The password is nowhere in what the backup wrote, nor in the globals (hashed there).
  std::string secret = password(stack);
  std::ifstream manifestText(stack.repo() / stack.project() / id / "manifest.json");
  std::string text((std::istreambuf_iterator<char>(manifestText)), {});
  EXPECT_EQ(text.find(secret), std::string::npos);
  std::string globalsFile = (stack.repo() / "globals.zst").string();  // chunks in a new repository
  e2e::partAsZstFile(stack.repo().string(), stack.project(), id, "postgres.globals.pgsql.zst", globalsFile);
  auto globals = e2e::runProcess({"zstd", "-dc", globalsFile});
  EXPECT_NE(globals.out.find("CREATE ROLE reader;"), std::string::npos) << globals.out;
  EXPECT_EQ(globals.out.find(secret), std::string::npos);
  EXPECT_EQ(globals.out.find("reader-Pa55"), std::string::npos);
  // The drill loads the roles and the three databases into a throwaway server of the service's image
  // and command, compares every catalog, and leaves nothing behind.
  auto verify = stack.plugin({"verify", id, "--deep", "--json"});
  EXPECT_EQ(verify.exitCode, 0) << verify.out << verify.err;
  std::set<std::string> drilled;
  auto verified = json::parse(verify.out);
  for (const auto& d : verified["drills"]) {
    EXPECT_TRUE(d["ok"].get<bool>()) << d.dump();
    drilled.insert(d["part"].get<std::string>());
  }
  for (const char* name : {"postgres.globals.pgsql.zst", "postgres.agentchat.pgdump.zst",
                           "postgres.analytics.pgdump.zst", "postgres.postgres.pgdump.zst"})
    EXPECT_TRUE(drilled.count(name)) << name << " not drilled: " << verify.out;
  EXPECT_EQ(e2e::runProcess({"sh", "-c",
                             "docker ps -aq --filter name=agentchat-drill-; "
                             "docker volume ls -q --filter name=agentchat-drill-"})
                .out,
            "");

  ASSERT_EQ(stack.compose({"down", "-v"}).exitCode, 0);
  ASSERT_EQ(stack.compose({"up", "-d"}).exitCode, 0);
  ASSERT_TRUE(stack.waitReady());
  ASSERT_TRUE(waitForPostgres(engine, stack));
  ASSERT_NE(fingerprint(engine, stack), before);

  auto restore = stack.plugin({"restore", id, "--yes", "--json"});
  ASSERT_EQ(restore.exitCode, 0) << restore.out << restore.err;
  e2e::expectSameData(before, fingerprint(engine, stack));
  // The stack's login still works over TCP with its POSTGRES_PASSWORD, and the extra role with its own.
  auto login = psql(engine, stack, "agentchat", "SELECT 1", std::make_pair(std::string("agentchat"), secret));
  EXPECT_EQ(login.exitCode, 0) << login.err;
  auto reader = psql(engine, stack, "analytics", "SELECT count(*) FROM events",
                     std::make_pair(std::string("reader"), std::string("reader-Pa55")));
  EXPECT_EQ(reader.exitCode, 0) << reader.err;
  EXPECT_EQ(reader.out, "200\n");

  // Restoring again over itself (roles exist, databases in use) works the same.
  auto again = stack.plugin({"restore", id, "--yes", "--only", "postgres", "--no-safety-snapshot"});
  EXPECT_EQ(again.exitCode, 0) << again.out << again.err;
  e2e::expectSameData(before, fingerprint(engine, stack));
}

// Rollback and --to-project as for MySQL: a restore that fails after the databases were loaded (the
// apps' start refused by the test's proxy) puts the safety snapshot's dumps back; a restore into
// another project loads that project's server, leaves the original alone, and the copy still
// accepts the stack's login.
TEST(PostgresRestore, AFailedRestoreRollsBackAndACopyIntoAnotherProjectStillLogsIn) {
  REQUIRE_ENGINE(engine);
  e2e::RestoreStack stack(engine, kOverlays);
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  ASSERT_TRUE(waitForPostgres(engine, stack));
  // Away from the init scripts' state, which a new project's server starts with.
  ASSERT_EQ(
      psql(engine, stack, "agentchat",
           "UPDATE docs SET body = gen_random_bytes(32) WHERE id % 7 = 0; SELECT nextval('invoice_no'); "
           "REFRESH MATERIALIZED VIEW tag_counts")
          .exitCode,
      0);
  auto atBackup = fingerprint(engine, stack);
  auto backup = stack.plugin({"backup", "--json", "--only", "postgres"});
  ASSERT_EQ(backup.exitCode, 0) << backup.err;
  std::string id = json::parse(backup.out)["id"].get<std::string>();
  ASSERT_EQ(psql(engine, stack, "agentchat",
                 "DELETE FROM docs WHERE id % 3 = 0; SELECT setval('invoice_no', 300001); "
                 "REFRESH MATERIALIZED VIEW tag_counts")
                .exitCode,
            0);
  ASSERT_EQ(psql(engine, stack, "analytics", "DELETE FROM events WHERE id % 2 = 0").exitCode, 0);
  auto changed = fingerprint(engine, stack);
  ASSERT_NE(changed, atBackup);

  {
    testsupport::HoldingProxy proxy(engine.endpointName(), stack.repo());
    proxy.failAt(R"(^POST .*/containers/[^/]+/start$)", {R"(/containers/[^/]+/stop\?)"});
    auto failed =
        stack.plugin({"restore", id, "--yes", "--only", "postgres"}, {{"DOCKER_HOST", proxy.address()}});
    EXPECT_EQ(failed.exitCode, 1) << failed.out << failed.err;
    EXPECT_NE(failed.err.find("failed on purpose by the test's proxy"), std::string::npos) << failed.err;
    EXPECT_NE(failed.err.find("Rolled back"), std::string::npos) << failed.err;
  }
  EXPECT_TRUE(stack.allRunning());
  ASSERT_TRUE(waitForPostgres(engine, stack));
  e2e::expectSameData(changed, fingerprint(engine, stack));

  std::string staging = stack.project() + "-staging";
  stack.use(staging);
  ASSERT_EQ(stack.compose({"up", "-d"}).exitCode, 0);
  ASSERT_TRUE(stack.waitReady());
  ASSERT_TRUE(waitForPostgres(engine, stack));
  ASSERT_NE(fingerprint(engine, stack), atBackup);
  auto copy = stack.plugin({"restore", id, "--to-project", staging, "--only", "postgres", "--yes"});
  ASSERT_EQ(copy.exitCode, 0) << copy.out << copy.err;
  e2e::expectSameData(atBackup, fingerprint(engine, stack));
  auto login =
      psql(engine, stack, "agentchat", "SELECT 1", std::make_pair(std::string("agentchat"), password(stack)));
  EXPECT_EQ(login.exitCode, 0) << login.err;
  EXPECT_EQ(stack.compose({"down", "-v"}).exitCode, 0);
  stack.use(stack.project());
  e2e::expectSameData(changed, fingerprint(engine, stack));
}

namespace {

// The service's image for the compose calls that follow; the one before comes back at scope end.
struct PostgresImage {
  std::optional<std::string> was;
  PostgresImage() {
    if (const char* set = std::getenv("AGENTCHAT_POSTGRES_IMAGE")) was = set;
  }
  ~PostgresImage() {
    if (was) {
      ::setenv("AGENTCHAT_POSTGRES_IMAGE", was->c_str(), 1);
    } else {
      ::unsetenv("AGENTCHAT_POSTGRES_IMAGE");
    }
  }
  void use(const std::string& image) { ::setenv("AGENTCHAT_POSTGRES_IMAGE", image.c_str(), 1); }
};

// The service again from an empty volume on `image`.
void recreate(dockerapi::Engine& engine, e2e::RestoreStack& stack, PostgresImage& images,
              const std::string& image) {
  images.use(image);
  ASSERT_EQ(stack.compose({"rm", "-sfv", "postgres"}).exitCode, 0);
  ASSERT_EQ(stack.compose({"down", "-v"}).exitCode, 0);
  ASSERT_EQ(stack.compose({"up", "-d"}).exitCode, 0);
  ASSERT_TRUE(stack.waitReady());
  ASSERT_TRUE(waitForPostgres(engine, stack));
}

}  // namespace

// 15 -> 17: a dump loads into a newer major version. 17 -> 15: compat rates it high and the restore
// refuses it before anything changes, and with --force the step refuses it before dropping anything.
TEST(PostgresBackup, ADumpLoadsIntoANewerMajorVersionAndANewerOneIsRefused) {
  REQUIRE_ENGINE(engine);
  PostgresImage images;
  images.use("agentchat-test/postgres15:e2e");
  e2e::RestoreStack stack(engine, kOverlays);
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  ASSERT_TRUE(waitForPostgres(engine, stack));
  auto from15 = fingerprint(engine, stack, false);
  auto backup15 = stack.plugin({"backup", "--json", "--only", "postgres"});
  ASSERT_EQ(backup15.exitCode, 0) << backup15.err;
  std::string id15 = json::parse(backup15.out)["id"].get<std::string>();
  // And the data directory raw, as a stop-mode backup takes it.
  auto raw15 = stack.plugin({"backup", "--json", "--consistency", "stop", "--only", "volumes"});
  ASSERT_EQ(raw15.exitCode, 0) << raw15.err;
  std::string idRaw15 = json::parse(raw15.out)["id"].get<std::string>();

  recreate(engine, stack, images, "agentchat-test/trixie-postgres17:e2e");
  EXPECT_EQ(psql(engine, stack, "agentchat", "SHOW server_version_num").out.substr(0, 2), "17");
  // compat compares each table's columns too: a column the running app has and the backup lacks.
  ASSERT_EQ(
      psql(engine, stack, "agentchat", "ALTER TABLE docs ADD COLUMN extra text NOT NULL DEFAULT ''").exitCode,
      0);
  auto compat = stack.plugin({"compat", id15});
  EXPECT_NE(compat.out.find("PostgreSQL 15 -> 17"), std::string::npos) << compat.out << compat.err;
  EXPECT_NE(compat.out.find("agentchat.public.docs.extra"), std::string::npos) << compat.out;
  EXPECT_EQ(compat.exitCode, 1) << compat.out;  // high: the restored table will not have it
  ASSERT_EQ(psql(engine, stack, "agentchat", "ALTER TABLE docs DROP COLUMN extra").exitCode, 0);
  // A raw data directory starts only on the major that wrote it: refused even with --force.
  auto rawInto17 = stack.plugin({"restore", idRaw15, "--yes", "--only", "volume:postgres_data", "--force"});
  EXPECT_NE(rawInto17.exitCode, 0);
  EXPECT_NE(rawInto17.out.find("PostgreSQL 15 -> 17"), std::string::npos) << rawInto17.out << rawInto17.err;
  EXPECT_NE(rawInto17.err.find("not even with --force"), std::string::npos) << rawInto17.err;
  auto up = stack.plugin({"restore", id15, "--yes", "--only", "postgres"});
  ASSERT_EQ(up.exitCode, 0) << up.out << up.err;
  e2e::expectSameData(from15, fingerprint(engine, stack, false));
  EXPECT_EQ(
      psql(engine, stack, "agentchat", "SELECT 1", std::make_pair(std::string("agentchat"), password(stack)))
          .exitCode,
      0);
  auto backup17 = stack.plugin({"backup", "--json", "--only", "postgres"});
  ASSERT_EQ(backup17.exitCode, 0) << backup17.err;
  std::string id17 = json::parse(backup17.out)["id"].get<std::string>();

  recreate(engine, stack, images, "agentchat-test/postgres15:e2e");
  auto fresh15 = fingerprint(engine, stack, false);
  auto down = stack.plugin({"restore", id17, "--yes", "--only", "postgres"});
  EXPECT_NE(down.exitCode, 0);
  EXPECT_NE(down.out.find("PostgreSQL 17 -> 15"), std::string::npos) << down.out << down.err;
  EXPECT_NE(down.err.find("nothing was changed"), std::string::npos) << down.err;
  e2e::expectSameData(fresh15, fingerprint(engine, stack, false));
  auto forced = stack.plugin({"restore", id17, "--yes", "--only", "postgres", "--force"});
  EXPECT_NE(forced.exitCode, 0);
  EXPECT_NE(forced.err.find("older than the 17"), std::string::npos) << forced.err;
  e2e::expectSameData(fresh15, fingerprint(engine, stack, false));
  // On its own major the raw data directory comes back, and the server starts on it.
  auto rawInto15 = stack.plugin({"restore", idRaw15, "--yes", "--only", "volume:postgres_data"});
  ASSERT_EQ(rawInto15.exitCode, 0) << rawInto15.out << rawInto15.err;
  ASSERT_TRUE(waitForPostgres(engine, stack));
  e2e::expectSameData(from15, fingerprint(engine, stack, false));
}

// migrate --consistency online with PostgreSQL beside MySQL and Redis (one point in time for all):
// the roles, then every database dumped in a snapshot taken inside the pause, streamed into a
// stand-in on Engine 26; compose v2 brings the stack up there with every object back, and the stack's
// login still works there. The migration itself compares every table's rows.
TEST(PostgresMigrate, OnlineMovesTheRolesAndEveryDatabaseToEngine26) {
  REQUIRE_ENGINE(engine);
  REQUIRE_MODERN_BED(host, compose);
  PostgresImage images;
  images.use("agentchat-test/trixie-postgres17:e2e");  // on both engines
  dockerapi::ConnectionOptions options;
  options.host = host;
  dockerapi::HttpEngine target(dockerapi::resolveEndpoint(options, dockerapi::processEnviron()).endpoint);

  e2e::RestoreStack stack(engine, kOverlays);
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  ASSERT_TRUE(waitForPostgres(engine, stack));
  ASSERT_EQ(psql(engine, stack, "agentchat",
                 "DELETE FROM docs WHERE id % 13 = 0; SELECT setval('invoice_no', 200001); "
                 // A dump refreshes a populated materialized view as it loads (pg_dump's own rule): a
                 // stale one would come back fresh, so the source is made fresh first.
                 "REFRESH MATERIALIZED VIEW tag_counts")
                .exitCode,
            0);
  auto before = fingerprint(engine, stack);
  fs::path dir = stack.repo().parent_path() / "on-engine26";
  auto migrate = stack.plugin({"migrate", "--to-host", host, "--target-dir", dir.string(), "--consistency",
                               "online", "--yes", "--json"});
  ASSERT_EQ(migrate.exitCode, 0) << migrate.out << migrate.err;
  auto result = json::parse(migrate.out);
  EXPECT_TRUE(result["identical"].get<bool>()) << migrate.out;
  std::set<std::string> compared;
  for (const auto& c : result["comparison"]) {
    if (c.value("service", "") == "postgres") compared.insert(c.value("subject", ""));
  }
  EXPECT_TRUE(compared.count("agentchat.public.docs") && compared.count("analytics.public.events"))
      << migrate.out;
  EXPECT_EQ(migrate.err.find(password(stack)), std::string::npos);

  e2e::RestoreStack moved({stack.project(),
                           dir,
                           {"docker-compose.secrets.yml", "docker-compose.postgres.yml"},
                           {{"DOCKER_HOST", host}, {"AGENTCHAT_TEST_COMPOSE", compose}}},
                          target);
  auto up = moved.compose({"up", "-d"});
  ASSERT_EQ(up.exitCode, 0) << up.err;
  ASSERT_TRUE(moved.waitReady());
  ASSERT_TRUE(waitForPostgres(target, moved));
  e2e::expectSameData(before, fingerprint(target, moved));
  auto login =
      psql(target, moved, "agentchat", "SELECT 1", std::make_pair(std::string("agentchat"), password(stack)));
  EXPECT_EQ(login.exitCode, 0) << login.err;
}
