// restore against the real engine: backup → docker compose down -v → up → restore gives back
// identical data (both consistency modes, both MySQL-like and MariaDB 11 images); a failure at any
// step rolls back to identical pre-restore data; bad backups are refused before anything changes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "e2e_support.hpp"
#include "holding_proxy.hpp"
#include "restore_stack.hpp"
#include "tests/support/tar_blocks.hpp"
#include "volumes/compressed_part.hpp"
#include "volumes/part_file.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

namespace {

struct RoundTrip {
  std::string name;
  std::vector<std::string> overlays;
  std::string consistency;
};

// Names the parameter in test listings (instead of its bytes).
void PrintTo(const RoundTrip& trip, std::ostream* os) {
  *os << trip.name;
}

class RestoreRoundTrip : public ::testing::TestWithParam<RoundTrip> {};

}  // namespace

TEST_P(RestoreRoundTrip, BackupDownVUpRestoreGivesIdenticalData) {
  REQUIRE_ENGINE(engine);
  e2e::RestoreStack stack(engine, GetParam().overlays);
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  std::string id = stack.seedAndBackUp({"--consistency", GetParam().consistency});
  ASSERT_FALSE(id.empty());
  auto before = stack.fingerprint();

  // Everything goes: containers, volumes; the bind mount changes on the host.
  ASSERT_EQ(stack.compose({"down", "-v"}).exitCode, 0);
  fs::remove(stack.dir() / "uploads/avatars/me.png");
  std::ofstream(stack.dir() / "uploads/after-the-backup.txt") << "newer\n";
  ASSERT_EQ(stack.compose({"up", "-d"}).exitCode, 0);
  ASSERT_TRUE(stack.waitReady());
  ASSERT_NE(stack.fingerprint(), before);

  auto restore = stack.plugin({"restore", id, "--yes", "--json"});
  ASSERT_EQ(restore.exitCode, 0) << restore.err;
  EXPECT_TRUE(stack.allRunning());
  auto after = stack.fingerprint();
  e2e::expectSameData(before, after);

  // The state it replaced was kept first, as an ordinary backup labelled pre-restore.
  std::string safety = json::parse(restore.out)["safetySnapshot"].get<std::string>();
  ASSERT_FALSE(safety.empty());
  auto audit = stack.auditLines();
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit.back()["command"], "restore");
  EXPECT_EQ(audit.back()["outcome"], "ok");
  EXPECT_EQ(audit.back()["backupId"], id);
  EXPECT_EQ(audit.back()["safetySnapshot"], safety);
  auto list = json::parse(stack.plugin({"list", "--json"}).out);
  bool listed = false;
  for (const auto& b : list) listed = listed || (b["id"] == safety && b["label"] == "pre-restore");
  EXPECT_TRUE(listed) << list.dump();
}

INSTANTIATE_TEST_SUITE_P(
    Stacks, RestoreRoundTrip,
    ::testing::Values(
        RoundTrip{"MysqlLikeOnline", {"docker-compose.prod.yml"}, "online"},
        RoundTrip{"MysqlLikeStop", {"docker-compose.prod.yml"}, "stop"},
        RoundTrip{"Mariadb11Online", {"docker-compose.prod.yml", "docker-compose.mariadb11.yml"}, "online"},
        RoundTrip{"Mariadb11Stop", {"docker-compose.prod.yml", "docker-compose.mariadb11.yml"}, "stop"},
        RoundTrip{"ValkeyOnline", {"docker-compose.prod.yml", "docker-compose.valkey.yml"}, "online"},
        RoundTrip{"ValkeyStop", {"docker-compose.prod.yml", "docker-compose.valkey.yml"}, "stop"}),
    [](const auto& info) { return info.param.name; });

// A step that fails on a real engine rolls back: a proxy in front of the engine fails one request
// of the restore, and the data are the same as before, byte for byte, and the stack runs. The
// requests are the worst moments of this stack's restore (after the apps' stop): MySQL's load once
// its databases were dropped, Redis's RDB put into its helper, the volume's files put back once it
// was emptied, the first app start. Every step's failure, and a rollback that fails, are also
// covered on the fake engine (tests/unit/*_flow_test.cpp).
TEST(Restore, AFailureAtAnyStepRollsBackToIdenticalData) {
  REQUIRE_ENGINE(engine);
  e2e::RestoreStack stack(engine, {"docker-compose.prod.yml"});
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  std::string id = stack.seedAndBackUp();
  ASSERT_FALSE(id.empty());
  stack.changeSinceBackup();
  auto before = stack.fingerprint();

  struct Failure {
    std::string step, at;
    std::vector<std::string> after;
    int skip = 0;
  };
  const std::string stop = R"(/containers/[^/]+/stop\?)", wait = R"(/wait\?)";
  for (const auto& failure : std::vector<Failure>{
           {"mysql", R"(^POST .*/exec/[^/]+/start$)", {stop}, 2},  // its ping, the DROP, then the load
           {"redis", R"(^PUT .*/archive)", {stop}},
           {"volume", R"(^PUT .*/archive)", {stop, wait}},
           {"start",
            R"(^POST .*/containers/[^/]+/start$)",
            {stop, wait, R"(^PUT .*/archive\?path=%2Fapp&)"}}}) {
    SCOPED_TRACE(failure.step);
    testsupport::HoldingProxy proxy(engine.endpointName(), stack.repo());
    proxy.failAt(failure.at, failure.after, 1, failure.skip);
    auto restore = stack.plugin({"restore", id, "--yes"}, {{"DOCKER_HOST", proxy.address()}});
    EXPECT_EQ(restore.exitCode, 1) << restore.err;
    EXPECT_THAT(restore.err, HasSubstr("failed at step " + failure.step)) << restore.err;
    EXPECT_THAT(restore.err, HasSubstr("failed on purpose by the test's proxy"));
    EXPECT_THAT(restore.err, HasSubstr("Rolled back"));
    auto audit = stack.auditLines();
    ASSERT_FALSE(audit.empty());
    EXPECT_EQ(audit.back()["outcome"], "failed");
    EXPECT_EQ(audit.back()["rolledBack"], true);
    EXPECT_TRUE(stack.allRunning());
    e2e::expectSameData(before, stack.fingerprint());
  }
}

namespace {

// A copy of backup `id` under `newId`, for tampering with.
fs::path copyBackup(const e2e::RestoreStack& stack, const std::string& id, const std::string& newId) {
  fs::path from = stack.repo() / stack.project() / id, to = stack.repo() / stack.project() / newId;
  fs::copy(from, to, fs::copy_options::recursive);
  json manifest = json::parse(std::ifstream(to / "manifest.json"));
  manifest["id"] = newId;
  std::ofstream(to / "manifest.json") << manifest.dump();
  return to;
}

// Part `name` of the backup in `dir` recorded in its manifest as a whole file of `size` bytes
// and `sha256` (and `rawSize` when given), no longer a chunk list.
void recordWhole(const fs::path& dir, const std::string& name, std::uint64_t size, const std::string& sha256,
                 std::optional<std::uint64_t> rawSize = std::nullopt) {
  fs::remove(dir / (name + ".chunks"));  // a new repository keeps chunks; a backup may mix both kinds
  json manifest = json::parse(std::ifstream(dir / "manifest.json"));
  for (auto& p : manifest["parts"]) {
    if (p["name"] != name) continue;
    p["size"] = size;
    p["sha256"] = sha256;
    if (rawSize) p["rawSize"] = *rawSize;
    p.erase("storage");
    p.erase("newSize");
  }
  std::ofstream(dir / "manifest.json") << manifest.dump();
}

// Replaces a tar part of the backup in `dir` with `tar`, its manifest record updated to match:
// the sha256 is right, so only the content check can refuse it.
void replacePart(const fs::path& dir, const std::string& name, const std::string& tar) {
  fs::remove(dir / name);
  volumes::CompressedPart part(std::make_unique<volumes::PartFile>(dir / name),
                               {name, "volume", "", "", 0, 0, "", "", "", 0}, 3, 0);
  part.write(tar);
  auto record = part.finish();
  recordWhole(dir, name, record.size, record.sha256, record.rawSize);
}

// Chunked part `name` of backup `id` made a whole part (its checked blobs back to back: one .zst
// file), its manifest record to match.
void makeWhole(const e2e::RestoreStack& stack, const std::string& id, const std::string& name) {
  fs::path dir = stack.repo() / stack.project() / id;
  e2e::partAsZstFile(stack.repo().string(), stack.project(), id, name, (dir / name).string());
  auto sha256 = e2e::runProcess({"sh", "-c", "sha256sum " + (dir / name).string() + " | cut -c1-64"});
  recordWhole(dir, name, fs::file_size(dir / name), sha256.out.substr(0, 64));
}

// Flips the byte in the middle of the first chunk of part `name` of backup `id`, in its pack.
void flipFirstChunk(const e2e::RestoreStack& stack, const std::string& id, const std::string& name) {
  std::string chunk, line;
  std::ifstream(stack.repo() / stack.project() / id / (name + ".chunks")) >> chunk;
  ASSERT_FALSE(chunk.empty()) << name << " has no chunk list";
  for (const auto& file : fs::directory_iterator(stack.repo() / ".chunks" / "index")) {
    for (std::ifstream in(file.path()); std::getline(in, line);) {
      std::istringstream fields(line);
      std::string named, pack;
      std::uint64_t offset = 0, length = 0;
      if (!(fields >> named >> pack >> offset >> length) || named != chunk) continue;
      std::fstream f(stack.repo() / ".chunks" / "packs" / pack.substr(0, 2) / pack,
                     std::ios::in | std::ios::out | std::ios::binary);
      f.seekg(static_cast<std::streamoff>(offset + length / 2));
      char byte = static_cast<char>(f.get());
      f.seekp(static_cast<std::streamoff>(offset + length / 2));
      f.put(static_cast<char>(byte ^ 0x5a));
      return;
    }
  }
  FAIL() << "chunk " << chunk << " is in no index file";
}

}  // namespace

TEST(Restore, BadBackupsAndBadInputAreRefusedBeforeAnythingChanges) {
  REQUIRE_ENGINE(engine);
  e2e::RestoreStack stack(engine, {"docker-compose.prod.yml"});
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  std::string id = stack.seedAndBackUp();
  ASSERT_FALSE(id.empty());
  stack.redis({"SET", "after", "the backup"});
  auto before = stack.fingerprint();

  auto unknown = stack.plugin({"restore", "20000101T000000Z", "--yes"});
  EXPECT_EQ(unknown.exitCode, 4) << unknown.err;
  EXPECT_THAT(unknown.err, HasSubstr("20000101T000000Z"));

  auto unconfirmed = stack.plugin({"restore", id});
  EXPECT_EQ(unconfirmed.exitCode, 2);
  EXPECT_THAT(unconfirmed.err, HasSubstr("--yes"));

  auto badOnly = stack.plugin({"restore", id, "--only", "mysql,bogus", "--yes"});
  EXPECT_EQ(badOnly.exitCode, 2);
  EXPECT_THAT(badOnly.err, HasSubstr("bogus"));

  auto dryRun = stack.plugin({"restore", id, "--dry-run"});
  EXPECT_EQ(dryRun.exitCode, 0) << dryRun.err;
  EXPECT_THAT(dryRun.out, HasSubstr("replaces the contents of volume " + stack.project() + "_app_data"));

  // A schema change since the backup that compat rates high: refused without --force.
  stack.mysql("ALTER TABLE agentchat.user ADD COLUMN phone VARCHAR(32) NULL");
  auto risky = stack.plugin({"restore", id, "--yes"});
  stack.mysql("ALTER TABLE agentchat.user DROP COLUMN phone");
  EXPECT_EQ(risky.exitCode, 1) << risky.err;
  EXPECT_THAT(risky.out, HasSubstr("agentchat.user.phone"));
  EXPECT_THAT(risky.err, HasSubstr("--force"));

  // One flipped byte: refused by its sha256 before anything is touched — in a whole part (the
  // repository is new, so its backups keep chunks: a copy's part made whole) ...
  fs::path flipped = copyBackup(stack, id, "20990101T000001Z");
  makeWhole(stack, "20990101T000001Z", "mysql.sql.zst");
  {
    std::fstream f(flipped / "mysql.sql.zst", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.put('\x7f');
  }
  auto corrupt = stack.plugin({"restore", "20990101T000001Z", "--yes"});
  EXPECT_EQ(corrupt.exitCode, 1);
  EXPECT_THAT(corrupt.err, HasSubstr("mysql.sql.zst: sha256 mismatch"));
  EXPECT_THAT(corrupt.err, HasSubstr("Nothing was restored"));
  // ... and in a chunk of the store: named by verify and by restore; then put back.
  flipFirstChunk(stack, id, "mysql.sql.zst");
  auto damagedVerify = stack.plugin({"verify", id});
  EXPECT_EQ(damagedVerify.exitCode, 1) << damagedVerify.out << damagedVerify.err;
  EXPECT_THAT(damagedVerify.out, HasSubstr("is damaged"));
  auto damaged = stack.plugin({"restore", id, "--yes"});
  flipFirstChunk(stack, id, "mysql.sql.zst");
  EXPECT_EQ(damaged.exitCode, 1);
  EXPECT_THAT(damaged.err, HasSubstr("is damaged"));
  EXPECT_THAT(damaged.err, HasSubstr("Nothing was restored"));
  EXPECT_EQ(stack.plugin({"verify", id}).exitCode, 0);

  // Tar parts whose entries would land outside the volume: refused whole, nothing written.
  using agentchat_test::tarOf;
  using agentchat_test::ustarBlock;
  std::map<std::string, std::string> evil = {
      {"20990101T000002Z", tarOf({ustarBlock("./", '5'), ustarBlock("../escaped.txt", '0', "", 5)})},
      {"20990101T000003Z", tarOf({ustarBlock("./", '5'), ustarBlock("/etc/escaped.txt", '0', "", 5)})},
      {"20990101T000004Z", tarOf({ustarBlock("./", '5'), ustarBlock("./link", '2', "/etc"),
                                  ustarBlock("./link/escaped.txt", '0', "", 5)})}};
  for (const auto& [evilId, tar] : evil) {
    SCOPED_TRACE(evilId);
    replacePart(copyBackup(stack, id, evilId), "volume-app_data.tar.zst", tar);
    auto refused = stack.plugin({"restore", evilId, "--yes"});
    EXPECT_EQ(refused.exitCode, 1) << refused.err;
    EXPECT_THAT(refused.err, HasSubstr("volume-app_data.tar.zst"));
    EXPECT_THAT(refused.err, HasSubstr("Nothing was restored"));
  }
  EXPECT_FALSE(fs::exists("/etc/escaped.txt"));
  EXPECT_EQ(stack.sh("backend", "find / -xdev -name escaped.txt 2>/dev/null | wc -l"), "0\n");

  // Nothing changed, and no safety snapshot was taken for any of it.
  EXPECT_TRUE(stack.allRunning());
  auto after = stack.fingerprint();
  e2e::expectSameData(before, after);
  auto list = json::parse(stack.plugin({"list", "--json"}).out);
  EXPECT_EQ(list.size(), 5u) << list.dump();  // the backup and its four tampered copies

  // The air-gapped way: exported to one file, gone from the repository, imported back whole.
  fs::path bundle = stack.repo().parent_path() / "backup.tar";
  auto exported = stack.plugin({"export", id, "-o", bundle.string()});
  ASSERT_EQ(exported.exitCode, 0) << exported.err;
  fs::remove_all(stack.repo() / stack.project() / id);
  auto imported = stack.plugin({"import", bundle.string()});
  EXPECT_EQ(imported.exitCode, 0) << imported.err;
  EXPECT_THAT(imported.out, HasSubstr("imported backup " + id));
  EXPECT_EQ(stack.plugin({"verify", id}).exitCode, 0);
  auto again = stack.plugin({"import", bundle.string()});
  EXPECT_EQ(again.exitCode, 1);
  EXPECT_THAT(again.err, HasSubstr("already in"));
}

TEST(Restore, IntoAnotherProjectLeavesTheOriginalUntouched) {
  REQUIRE_ENGINE(engine);
  e2e::RestoreStack stack(engine, {"docker-compose.prod.yml"});
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  std::string id = stack.seedAndBackUp();
  ASSERT_FALSE(id.empty());
  stack.redis({"SET", "after", "the backup"});
  auto original = stack.fingerprint();
  std::string staging = stack.project() + "-staging";

  // No containers there yet: the restore says which command creates them.
  auto missing = stack.plugin({"restore", id, "--to-project", staging, "--yes"});
  EXPECT_EQ(missing.exitCode, 4) << missing.err;
  EXPECT_THAT(missing.err, HasSubstr("docker compose -p " + staging));
  EXPECT_THAT(missing.err, HasSubstr("up -d mysql redis"));

  stack.use(staging);
  ASSERT_EQ(stack.compose({"up", "-d"}).exitCode, 0);
  ASSERT_TRUE(stack.waitReady());
  auto restore = stack.plugin({"restore", id, "--to-project", staging, "--yes"});
  ASSERT_EQ(restore.exitCode, 0) << restore.err;
  auto copy = stack.fingerprint();
  stack.use(stack.project());
  auto now = stack.fingerprint();
  e2e::expectSameData(original, now);
  // The copy holds the backup: the original's data without what came after it.
  for (const char* what : {"mysql.checksum", "mysql.routines", "mysql.triggers", "mysql.events",
                           "mysql.views", "volume.app_data"})
    EXPECT_EQ(copy[what], original[what]) << what;
  EXPECT_NE(copy["redis.digest"], original["redis.digest"]);

  // A volume gone with its container (as after `down -v`): created again with compose's labels, so
  // `up` adopts it with the backup's files in it.
  stack.use(staging);
  ASSERT_EQ(stack.compose({"rm", "-sf", "backend"}).exitCode, 0);
  std::string volume = staging + "_app_data";
  engine.removeVolume(volume, false);
  auto volumes = stack.plugin({"restore", id, "--to-project", staging, "--only", "volumes", "--yes"});
  ASSERT_EQ(volumes.exitCode, 0) << volumes.err;
  auto labels = engine.inspectVolume(volume).labels;
  EXPECT_EQ(labels["com.docker.compose.project"], staging);
  EXPECT_EQ(labels["com.docker.compose.volume"], "app_data");
  ASSERT_EQ(stack.compose({"up", "-d"}).exitCode, 0);
  EXPECT_EQ(stack.fingerprint()["volume.app_data"], original["volume.app_data"]);
}
