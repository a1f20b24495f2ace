// The knowledge files in an object store (issue #19) on the real stack, with s3rver on loopback for
// the bucket: 200 objects of mixed sizes with their metadata (and keys that are no safe paths) are
// backed up with the stack into the deduplicated repository; the next backup after 5 new objects
// fetches only those 5; 50 objects deleted and one overwritten come back byte-identical with their
// metadata, while an object the backup does not have is left alone (and a restore that fails after
// them is rolled back: what it created is deleted, what it overwrote is as before); the secret key is
// nowhere; and a bucket that cannot be reached fails the backup with nothing complete-looking left.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "e2e_support.hpp"
#include "holding_proxy.hpp"
#include "restore_stack.hpp"
#include "s3_fixture.hpp"
#include "volumes/s3/client.hpp"

namespace fs = std::filesystem;
namespace s3 = volumes::s3;
using nlohmann::json;
using ::testing::HasSubstr;

namespace {

constexpr const char* kSecret = "agentchat-kb-secret-5d1e0c";
const std::string kPart = "objects-knowledge.tar.zst";

struct Stored {
  std::string bytes;
  s3::ObjectMetadata metadata;
};

std::string bytesOf(std::size_t size, unsigned seed) {
  std::string out(size, '\0');
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
  for (auto& c : out) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    c = static_cast<char>(x);
  }
  return out;
}

json manifestOf(const e2e::RestoreStack& stack, const std::string& id) {
  return json::parse(std::ifstream(stack.repo() / stack.project() / id / "manifest.json"));
}

// Every file of the repository and the stack's directory, for a string that must not be there.
bool foundAnywhere(const fs::path& root, const std::string& needle) {
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    if (text.find(needle) != std::string::npos) return true;
  }
  return false;
}

// The bucket's endpoint, through the stack's .env (the overlay interpolates it).
void setEndpoint(const e2e::RestoreStack& stack, const std::string& endpoint) {
  std::ifstream in(stack.dir() / ".env");
  std::string kept;
  for (std::string line; std::getline(in, line);)
    if (line.rfind("AGENTCHAT_TEST_OBJECTS_ENDPOINT=", 0) != 0) kept += line + "\n";
  std::ofstream(stack.dir() / ".env") << kept << "AGENTCHAT_TEST_OBJECTS_ENDPOINT=" << endpoint << "\n";
}

}  // namespace

TEST(Objects, TheKnowledgeBucketIsBackedUpWithTheStackAndComesBackWithItsMetadata) {
  REQUIRE_ENGINE(engine);
  e2e::S3rver kb;
  REQUIRE_S3RVER(kb);
  s3::Client bucket(kb.config());
  // 200 objects: mostly small, some of a few hundred KiB, one of 9 MiB (streamed, not held), keys a
  // path could not hold, content types, an encoding that must stay encoded, user metadata.
  std::map<std::string, Stored> objects;
  for (int i = 0; i < 200; ++i) {
    std::string key = "uploads/kb/" + std::to_string(i) + (i % 2 ? ".pdf" : ".md");
    if (i == 0) key = "uploads/with space & plus+.md";
    if (i == 1) key = "uploads/100%/done.pdf";
    if (i == 2) key = "uploads/folder/";
    if (i == 3) key = "uploads/资料/季度 报告.pdf";
    std::size_t size = i == 4 ? (9u << 20) : i % 20 == 0 ? 300000 + i : i == 2 ? 0 : 4096 + i;
    Stored o{bytesOf(size, static_cast<unsigned>(i)), {}};
    o.metadata.contentType = i % 2 ? "application/pdf" : "text/markdown; charset=utf-8";
    if (i == 5) o.metadata.contentEncoding = "gzip";
    o.metadata.user = {{"file-id", std::to_string(1000 + i)}, {"owner", "user" + std::to_string(i % 7)}};
    bucket.putObject(key, o.bytes, o.metadata);
    objects[key] = o;
  }
  bucket.putObject("elsewhere/not-ours.txt", "outside the prefix");
  // s3rver keeps objects as files: it squashes "./" and "../" in keys (real S3 and OSS keep any key;
  // the unit tests cover those), so these keys are only hard for a path, not for it.
  ASSERT_EQ(bucket.listObjects("uploads/").size(), objects.size());
  const std::size_t backedUp = objects.size();

  e2e::RestoreStack stack(
      engine, {"docker-compose.prod.yml", "docker-compose.secrets.yml", "docker-compose.objects.yml"});
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  setEndpoint(stack, kb.endpoint());
  std::ofstream(stack.dir() / "objects.credentials")
      << "[kb]\naws_access_key_id = S3RVER\naws_secret_access_key = " << kSecret << "\n";

  // AgentChat's knowledge_file rows: 150 name their objects, in every URL form it writes (a signed
  // URL among them), one names an object the bucket does not have (the schema's own row names
  // another bucket).
  std::string rows;
  int rowId = 0;
  for (const auto& [key, o] : objects) {
    if (rowId == 150) break;
    std::string url = rowId % 3 == 0   ? "s3://agentchat-test/" + key
                      : rowId % 3 == 1 ? "oss://agentchat-test/" + key
                                       : kb.endpoint() + "/agentchat-test/" + key + "?Signature=abc";
    std::string quoted;
    for (char c : url) quoted += c == '\'' ? std::string("''") : std::string(1, c);
    rows += (rows.empty() ? "" : ",") + std::string("('r") + std::to_string(++rowId) + "','k1','f','" +
            quoted + "')";
  }
  rows += ",('r999','k1','lost.pdf','s3://agentchat-test/uploads/kb/lost.pdf'),('r1000','k1','n',NULL)";
  stack.mysql("INSERT INTO agentchat.knowledge_file (id, knowledge_id, file_name, oss_url) VALUES " + rows);

  auto dry = stack.plugin({"backup", "--dry-run"});
  ASSERT_EQ(dry.exitCode, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr(kPart));
  std::string first = stack.seedAndBackUp({"--dedup"});
  ASSERT_FALSE(first.empty());
  json details = manifestOf(stack, first)["details"]["objects"][kPart];
  EXPECT_EQ(details["objects"], backedUp) << details.dump();
  EXPECT_EQ(details["fetched"], backedUp);
  EXPECT_EQ(details["url"], "s3://agentchat-test/uploads/");
  json references = details["references"];
  EXPECT_EQ(references["rows"], 152) << references.dump();
  EXPECT_EQ(references["otherBuckets"], 1);
  EXPECT_EQ(references["missing"], 1);
  EXPECT_EQ(references["firstMissing"][0]["id"], "r999");
  EXPECT_EQ(references["firstMissing"][0]["key"], "uploads/kb/lost.pdf");
  EXPECT_EQ(references["unreferenced"], backedUp - 150);
  auto status = stack.plugin({"status"});
  EXPECT_THAT(status.out, HasSubstr("rows name objects the bucket did not have")) << status.out << status.err;
  EXPECT_THAT(status.out, HasSubstr("row r999, uploads/kb/lost.pdf")) << status.out;

  // Five new objects: the next backup lists the prefix and fetches those five, nothing else. The
  // requests are the plugin's own count of its GETs and HEADs (the unit tests count a fake store's).
  for (int i = 0; i < 5; ++i) {
    std::string key = "uploads/new/" + std::to_string(i) + ".txt";
    objects[key] = {bytesOf(5000, 900 + i), {}};
    objects[key].metadata.contentType = "text/plain";
    bucket.putObject(key, objects[key].bytes, objects[key].metadata);
  }
  auto second = stack.plugin({"backup", "--json"});
  ASSERT_EQ(second.exitCode, 0) << second.err;
  std::string id = json::parse(second.out)["id"].get<std::string>();
  details = manifestOf(stack, id)["details"]["objects"][kPart];
  EXPECT_EQ(details["objects"], backedUp + 5) << details.dump();
  EXPECT_EQ(details["fetched"], 5);
  EXPECT_EQ(details["reused"], backedUp);
  EXPECT_EQ(details["requests"], 5);
  EXPECT_EQ(details["listPages"], 1);
  EXPECT_EQ(details["previous"], first);
  auto verify = stack.plugin({"verify", id});
  EXPECT_EQ(verify.exitCode, 0) << verify.out << verify.err;

  // Into a deduplicated S3 repository (a new prefix of the same server) as into a directory: the
  // first backup fetches every object, the next one none.
  {
    const std::map<std::string, std::string> env = {
        {"AWS_ENDPOINT_URL", kb.endpoint()},
        {"AWS_ACCESS_KEY_ID", "S3RVER"},
        {"AWS_SECRET_ACCESS_KEY", kSecret},
        {"AGENTCHAT_STATE_DIR", (stack.dir() / "s3-state").string()}};
    const std::string repo = std::string("s3://") + e2e::S3rver::kBucket + "/repo";
    for (std::size_t fetched : {backedUp + 5, std::size_t{0}}) {
      auto into = stack.pluginOn(repo, {"backup", "--json", "--only", "objects"}, env);
      ASSERT_EQ(into.exitCode, 0) << into.err;
      std::string bucketId = json::parse(into.out)["id"];
      auto text =
          bucket.getSmallObject("repo/" + stack.project() + "/" + bucketId + "/manifest.json", 16 << 20);
      ASSERT_TRUE(text.has_value());
      json inBucket = json::parse(*text)["details"]["objects"][kPart];
      EXPECT_EQ(inBucket["objects"], backedUp + 5) << inBucket.dump();
      EXPECT_EQ(inBucket["fetched"], fetched) << inBucket.dump();
      if (fetched == 0) {
        EXPECT_EQ(inBucket["requests"], 0) << inBucket.dump();
      }
      auto verifyInBucket = stack.pluginOn(repo, {"verify", bucketId}, env);
      EXPECT_EQ(verifyInBucket.exitCode, 0) << verifyInBucket.out << verifyInBucket.err;
    }
    EXPECT_FALSE(bucket.listObjects("repo/.chunks/packs/").empty());
  }

  // 50 deleted, one overwritten, one added that the backup never saw.
  std::set<std::string> changed;
  for (const auto& [key, o] : objects) {
    if (changed.size() < 50 && std::hash<std::string>{}(key) % 3 == 0) changed.insert(key);
  }
  ASSERT_EQ(changed.size(), 50u);
  for (const auto& key : changed) bucket.deleteObject(key);
  changed.insert("uploads/kb/7.pdf");
  bucket.putObject("uploads/kb/7.pdf", "overwritten");
  bucket.putObject("uploads/after-the-backup.txt", "kept");
  auto preview = stack.plugin({"restore", id, "--only", "objects:knowledge", "--dry-run"});
  ASSERT_EQ(preview.exitCode, 0) << preview.err;
  EXPECT_THAT(preview.out, HasSubstr("objects knowledge: " + std::to_string(changed.size()) + " of " +
                                     std::to_string(objects.size()) + " objects"))
      << preview.out;
  EXPECT_FALSE(bucket.headObject(*changed.begin()));  // a dry run moves nothing

  // A restore that fails after its objects step (the apps' start, through a proxy in front of the
  // engine) rolls back: the objects it created are deleted again, the one it overwrote has the bytes
  // it had before, and the one the backup never saw stays.
  {
    testsupport::HoldingProxy proxy(engine.endpointName(), stack.repo());
    proxy.failAt(R"(^POST .*/containers/[^/]+/start$)", {R"(/containers/[^/]+/stop\?)"});
    auto failing =
        stack.plugin({"restore", id, "--only", "objects", "--yes"}, {{"DOCKER_HOST", proxy.address()}});
    EXPECT_EQ(failing.exitCode, 1) << failing.out << failing.err;
    EXPECT_THAT(failing.err, HasSubstr("Rolled back"));
    EXPECT_THAT(failing.err, HasSubstr(std::to_string(changed.size() - 1) + " not in the backup removed"))
        << failing.err;
    for (const auto& key : changed) {
      if (key != "uploads/kb/7.pdf") {
        EXPECT_FALSE(bucket.headObject(key)) << key << " was left behind";
      }
    }
    EXPECT_EQ(bucket.getSmallObject("uploads/kb/7.pdf", 100), "overwritten");
    EXPECT_EQ(bucket.getSmallObject("uploads/after-the-backup.txt", 100), "kept");
    EXPECT_TRUE(stack.allRunning());
  }
  auto restore = stack.plugin({"restore", id, "--only", "objects", "--yes"});
  ASSERT_EQ(restore.exitCode, 0) << restore.out << restore.err;
  EXPECT_THAT(restore.err, HasSubstr(std::to_string(changed.size()) + " put back"));
  for (const auto& [key, o] : objects) {
    std::string got;
    auto fetched = bucket.fetchObject(key, "", [&](std::string_view b) { got.append(b); });
    ASSERT_EQ(fetched.status, s3::FetchStatus::Fetched) << key;
    EXPECT_TRUE(got == o.bytes) << key << ": " << got.size() << " bytes, " << o.bytes.size() << " backed up";
    EXPECT_EQ(fetched.metadata, o.metadata) << key;
  }
  EXPECT_EQ(bucket.getSmallObject("uploads/after-the-backup.txt", 100), "kept");
  EXPECT_EQ(bucket.getSmallObject("elsewhere/not-ours.txt", 100), "outside the prefix");

  // The part leaves the deduplicated store like any other: copied to a new repository (which gets
  // a store of its own by default: the part arrives as chunks), and exported then imported elsewhere
  // (whole parts), it verifies there, and a restore from the imported backup puts deleted objects
  // back byte for byte.
  fs::path copied = stack.repo().parent_path() / "copied", imported = stack.repo().parent_path() / "imported";
  auto copy = stack.plugin({"copy", id, "--to", copied.string()});
  ASSERT_EQ(copy.exitCode, 0) << copy.err;
  EXPECT_THAT(copy.err, HasSubstr("is a new repository: its backups are kept as deduplicated chunks"));
  EXPECT_TRUE(fs::exists(copied / stack.project() / id / (kPart + ".chunks")));
  EXPECT_EQ(stack.pluginOn(copied.string(), {"verify", id}).exitCode, 0);
  fs::path bundle = stack.repo().parent_path() / "backup.tar";
  auto exported = stack.plugin({"export", id, "-o", bundle.string()});
  ASSERT_EQ(exported.exitCode, 0) << exported.err;
  auto import = stack.pluginOn(imported.string(), {"import", bundle.string()});
  ASSERT_EQ(import.exitCode, 0) << import.err;
  auto verifyImported = stack.pluginOn(imported.string(), {"verify", id});
  EXPECT_EQ(verifyImported.exitCode, 0) << verifyImported.out << verifyImported.err;
  std::vector<std::string> gone;
  for (const auto& [key, o] : objects) {
    if (gone.size() < 3 && o.bytes.size() > 0) gone.push_back(key);
  }
  for (const auto& key : gone) bucket.deleteObject(key);
  auto fromImported = stack.pluginOn(imported.string(), {"restore", id, "--only", "objects", "--yes"});
  ASSERT_EQ(fromImported.exitCode, 0) << fromImported.err;
  EXPECT_THAT(fromImported.err, HasSubstr("3 put back"));
  for (const auto& key : gone) EXPECT_EQ(bucket.getSmallObject(key, 16 << 20), objects.at(key).bytes) << key;

  // Encrypted, the keys (users' file names) are inside the encrypted part, and the manifest holds
  // counts only: no key, no row's key, in any file of that backup.
  ASSERT_EQ(e2e::runProcess({"age-keygen", "-o", (stack.dir() / "age.txt").string()}).exitCode, 0);
  std::string publicKey = e2e::runProcess({"age-keygen", "-y", (stack.dir() / "age.txt").string()}).out;
  publicKey.erase(publicKey.find_last_not_of("\n") + 1);
  auto sealed = stack.plugin({"backup", "--only", "objects", "--encrypt-to", publicKey, "--json"});
  ASSERT_EQ(sealed.exitCode, 0) << sealed.err;
  std::string sealedId = json::parse(sealed.out)["id"].get<std::string>();
  for (const std::string& name : {std::string("done.pdf"), std::string("资料"), std::string("lost.pdf")})
    EXPECT_FALSE(foundAnywhere(stack.repo() / stack.project() / sealedId, name)) << name;
  EXPECT_EQ(stack.plugin({"verify", sealedId}).exitCode, 0);

  // A table larger than a query's output kept in memory (60 000 more rows, about 7 MiB of batch
  // output) is read a row at a time: every row is counted, and their keys are checked on disk.
  stack.mysql(
      "INSERT INTO agentchat.knowledge_file (id, knowledge_id, file_name, oss_url) SELECT CONCAT('big', "
      "seq), "
      "'k1', 'f', CONCAT('s3://agentchat-test/uploads/big/', seq, '-', REPEAT('x', 80), '.pdf') FROM "
      "agentchat.seq_1_to_60000");
  auto big = stack.plugin({"backup", "--only", "objects", "--json"});
  ASSERT_EQ(big.exitCode, 0) << big.err;
  references = manifestOf(
      stack, json::parse(big.out)["id"].get<std::string>())["details"]["objects"][kPart]["references"];
  EXPECT_EQ(references["rows"], 152 + 60000) << references.dump();
  EXPECT_EQ(references["missing"], 1 + 60000);
  EXPECT_EQ(references["firstMissing"][0]["key"], "uploads/big/1-" + std::string(80, 'x') + ".pdf");

  // The secret of the bucket is in its credentials file and nowhere else.
  fs::remove(stack.dir() / "objects.credentials");
  EXPECT_FALSE(foundAnywhere(stack.repo(), kSecret));
  for (const auto& out : {dry.out + dry.err, second.out + second.err, restore.out + restore.err})
    EXPECT_EQ(out.find(kSecret), std::string::npos);

  // A bucket that cannot be reached fails the backup, and no backup that looks complete is left.
  std::ofstream(stack.dir() / "objects.credentials")
      << "[kb]\naws_access_key_id = S3RVER\naws_secret_access_key = " << kSecret << "\n";
  std::size_t before = json::parse(stack.plugin({"list", "--json"}).out).size();
  setEndpoint(stack, "http://127.0.0.1:9");
  auto failed = stack.plugin({"backup"});
  EXPECT_NE(failed.exitCode, 0);
  EXPECT_THAT(failed.err, HasSubstr("127.0.0.1:9"));
  EXPECT_EQ(json::parse(stack.plugin({"list", "--json"}).out).size(), before);
  EXPECT_TRUE(stack.allRunning());
}
