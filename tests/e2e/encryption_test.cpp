// Encrypted backups (age v1) against the real stack: every part stored as `….age` and readable by
// Debian's `age` without the plugin; verify works without the key and --deep with it; the wrong key
// or passphrase is refused before anything changes; the right one restores the data; and no secret
// (identity, passphrase, database password) appears in anything the plugin printed or wrote, nor in
// the arguments of any process it ran in a container.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "base/sha256.hpp"
#include "e2e_support.hpp"
#include "restore_stack.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

namespace {

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

class Encryption : public ::testing::Test {
 protected:
  // Everything the plugin printed, kept to be searched for secrets at the end.
  e2e::ProcessResult run(e2e::RestoreStack& stack, std::vector<std::string> args) {
    args.insert(args.begin(), "-D");  // debug logs too: they must not hold a secret either
    auto result = stack.plugin(args);
    printed_ += result.out + result.err;
    return result;
  }

  // No secret in what the plugin printed, in any file of the repository, or in the recorded
  // arguments of any exec it made (listed by its debug log).
  void expectNoSecretAnywhere(dockerapi::Engine& engine, e2e::RestoreStack& stack,
                              const std::vector<std::string>& secrets) {
    std::vector<std::pair<std::string, std::string>> texts{{"the plugin's output", printed_}};
    for (const auto& e : fs::recursive_directory_iterator(stack.repo())) {
      if (!e.is_regular_file()) continue;
      std::string name = e.path().filename();
      if (name.ends_with(".age")) continue;  // ciphertext
      texts.push_back({e.path().string(), readFile(e.path())});
    }
    std::regex execLine("exec ([0-9a-f]{64}) in");
    std::set<std::string> ids;
    for (std::sregex_iterator it(printed_.begin(), printed_.end(), execLine), end; it != end; ++it)
      ids.insert((*it)[1]);
    EXPECT_GE(ids.size(), 5u) << "expected the backup's dumps and checks to exec";
    std::size_t inspected = 0;
    for (const auto& id : ids) {
      try {
        texts.push_back({"exec " + id, engine.inspectExec(id)["ProcessConfig"].dump()});
        ++inspected;
      } catch (const std::exception&) {
        // gone with its container's restart (a restore restarts them)
      }
    }
    EXPECT_GE(inspected, 5u);
    for (const auto& [where, text] : texts) {
      for (const auto& secret : secrets) {
        EXPECT_EQ(text.find(secret), std::string::npos) << "a secret leaked into " << where;
      }
    }
  }

  std::string printed_;
};

}  // namespace

TEST_F(Encryption, PublicKeyAndPassphraseBackupsAreAgeFilesAndOnlyTheRightKeyRestoresThem) {
  REQUIRE_ENGINE(engine);
  e2e::RestoreStack stack(engine, {"docker-compose.prod.yml"});
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  fs::path keys = stack.repo().parent_path() / "keys";
  fs::create_directories(keys);
  auto keygen = e2e::runProcess({"age-keygen", "-o", (keys / "key.txt").string()});
  ASSERT_EQ(keygen.exitCode, 0) << "Debian's age package is needed (scripts/packages.sh): " << keygen.err;
  ASSERT_EQ(e2e::runProcess({"age-keygen", "-o", (keys / "other.txt").string()}).exitCode, 0);
  std::string keyFile = readFile(keys / "key.txt");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(keyFile, m, std::regex("age1[0-9a-z]+")));
  std::string publicKey = m[0];
  ASSERT_TRUE(std::regex_search(keyFile, m, std::regex("AGE-SECRET-KEY-1[0-9A-Z]+")));
  std::string secretKey = m[0];
  std::string passphrase = "correct horse battery staple 42!";
  std::ofstream(keys / "passphrase") << passphrase << "\n";
  std::ofstream(keys / "wrong-passphrase") << "not the passphrase\n";

  // Public-key mode: seeded, backed up, stored as age files only.
  std::string id = stack.seedAndBackUp({"--encrypt-to", publicKey});
  ASSERT_FALSE(id.empty());
  auto before = stack.fingerprint();
  fs::path dir = stack.repo() / stack.project() / id;
  auto manifest = json::parse(readFile(dir / "manifest.json"));
  EXPECT_EQ(manifest["encryption"]["recipients"], json::array({publicKey}));
  EXPECT_FALSE(manifest["encryption"]["passphrase"].get<bool>());
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename();
    EXPECT_TRUE(name == "manifest.json" || name.ends_with(".age")) << "a plaintext file is kept: " << name;
  }
  // Without this plugin: age -d | zstd -d, and the manifest's plainSha256 is what age gives back.
  for (const auto& part : manifest["parts"]) {
    std::string name = part["name"];
    ASSERT_TRUE(name.ends_with(".age")) << name;
    auto plain = e2e::runProcess({"age", "-d", "-i", (keys / "key.txt").string(), (dir / name).string()});
    ASSERT_EQ(plain.exitCode, 0) << name << ": " << plain.err;
    EXPECT_EQ(base::sha256Hex(plain.out), part["plainSha256"]) << name;
    EXPECT_EQ(base::sha256Hex(readFile(dir / name)), part["sha256"]) << name;
    if (part["kind"] == "mysql-dump") {
      auto sql = e2e::runProcess({"sh", "-c",
                                  "age -d -i '" + (keys / "key.txt").string() + "' '" +
                                      (dir / name).string() + "' | zstd -d | tail -n 1"});
      EXPECT_THAT(sql.out, HasSubstr("-- Dump completed")) << sql.err;
    }
  }

  // verify: the stored bytes without the key; --deep needs it, and with it loads the dumps.
  auto shallow = run(stack, {"verify", id, "--json"});
  EXPECT_EQ(shallow.exitCode, 0) << shallow.err;
  auto shallowResult = json::parse(shallow.out);  // named: a range-for over a temporary's member dangles
  for (const auto& p : shallowResult["parts"]) EXPECT_FALSE(p["contentChecked"].get<bool>());
  auto deepNoKey = run(stack, {"verify", id, "--deep"});
  EXPECT_EQ(deepNoKey.exitCode, 2);
  EXPECT_THAT(deepNoKey.err, HasSubstr("give its key with --identity"));
  EXPECT_THAT(deepNoKey.err, HasSubstr(publicKey));
  auto deep = run(stack, {"verify", id, "--deep", "--identity", (keys / "key.txt").string()});
  EXPECT_EQ(deep.exitCode, 0) << deep.err;
  EXPECT_THAT(deep.out, HasSubstr("restore drill"));

  // The wrong identity: refused before anything changes (no safety snapshot either).
  stack.changeSinceBackup();
  auto changed = stack.fingerprint();
  auto listed = json::parse(run(stack, {"list", "--json"}).out);
  std::size_t backups = listed.size();
  EXPECT_TRUE(listed[0]["encrypted"].get<bool>()) << listed.dump();
  auto wrong = run(stack, {"restore", id, "--yes", "--identity", (keys / "other.txt").string()});
  EXPECT_EQ(wrong.exitCode, 1) << wrong.err;
  EXPECT_THAT(wrong.err, HasSubstr("none of the given identities opens backup " + id));
  EXPECT_EQ(json::parse(run(stack, {"list", "--json"}).out).size(), backups);
  e2e::expectSameData(changed, stack.fingerprint());

  // The right one restores the backup's data; the safety snapshot of what it replaced is encrypted too.
  auto restore = run(stack, {"restore", id, "--yes", "--json", "--identity", (keys / "key.txt").string()});
  ASSERT_EQ(restore.exitCode, 0) << restore.err;
  e2e::expectSameData(before, stack.fingerprint());
  std::string safety = json::parse(restore.out)["safetySnapshot"];
  auto safetyManifest = json::parse(readFile(stack.repo() / stack.project() / safety / "manifest.json"));
  EXPECT_EQ(safetyManifest["encryption"]["recipients"], json::array({publicKey}));

  // Passphrase mode (age scrypt): the wrong passphrase is refused, the right one restores.
  auto backup = run(stack, {"backup", "--json", "--passphrase-file", (keys / "passphrase").string()});
  ASSERT_EQ(backup.exitCode, 0) << backup.err;
  std::string withPassphrase = json::parse(backup.out)["id"];
  auto passManifest =
      json::parse(readFile(stack.repo() / stack.project() / withPassphrase / "manifest.json"));
  EXPECT_TRUE(passManifest["encryption"]["passphrase"].get<bool>());
  EXPECT_TRUE(passManifest["encryption"]["recipients"].empty());
  stack.changeSinceBackup();
  auto wrongPass = run(
      stack, {"restore", withPassphrase, "--yes", "--passphrase-file", (keys / "wrong-passphrase").string()});
  EXPECT_EQ(wrongPass.exitCode, 1) << wrongPass.err;
  EXPECT_THAT(wrongPass.err, HasSubstr("wrong identity or passphrase"));
  auto rightPass =
      run(stack, {"restore", withPassphrase, "--yes", "--passphrase-file", (keys / "passphrase").string()});
  EXPECT_EQ(rightPass.exitCode, 0) << rightPass.err;
  e2e::expectSameData(before, stack.fingerprint());

  // Both kinds at once: the age format allows a passphrase only alone.
  auto both =
      run(stack, {"backup", "--encrypt-to", publicKey, "--passphrase-file", (keys / "passphrase").string()});
  EXPECT_EQ(both.exitCode, 2);
  EXPECT_THAT(both.err, HasSubstr("not both"));

  // One flipped byte in an encrypted part: verify finds it without the key.
  std::string victim = (dir / manifest["parts"][0]["name"].get<std::string>()).string();
  std::string bytes = readFile(victim);
  bytes[bytes.size() / 2] ^= 0x01;
  std::ofstream(victim, std::ios::binary | std::ios::trunc) << bytes;
  auto damaged = run(stack, {"verify", id});
  EXPECT_EQ(damaged.exitCode, 1);
  EXPECT_THAT(damaged.out, HasSubstr("sha256 mismatch"));

  // A backup the plugin makes while its debug log lists every exec, for the secrets check; with
  // umask 0, to show the repository's modes do not depend on it.
  mode_t umask = ::umask(0);
  EXPECT_EQ(run(stack, {"backup", "--encrypt-to", publicKey}).exitCode, 0);
  EXPECT_EQ(run(stack, {"verify", "--identity", (keys / "key.txt").string()}).exitCode, 0);
  ::umask(umask);
  for (const auto& e : fs::recursive_directory_iterator(stack.repo())) {
    auto mode = static_cast<unsigned>(e.status().permissions());
    EXPECT_EQ(mode, e.is_directory() ? 0700u : 0600u) << e.path();
  }
  std::string rootPassword = trimmed(stack.sh("mysql", "printf %s \"$MYSQL_ROOT_PASSWORD\""));
  ASSERT_FALSE(rootPassword.empty());
  expectNoSecretAnywhere(engine, stack, {secretKey, passphrase, rootPassword});
}
