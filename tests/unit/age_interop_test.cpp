// Our age files against the reference age CLI (Debian's `age` and `age-keygen`), both ways, for
// keys and passphrases. The CLI reads passphrases only from a terminal, so those runs get a pty.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "volumes/age_stream.hpp"

namespace fs = std::filesystem;
using volumes::AgeIdentity;
using volumes::AgeRecipient;

namespace {

std::string randomBytes(std::size_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void writeFile(const fs::path& path, std::string_view data) {
  std::ofstream(path, std::ios::binary).write(data.data(), static_cast<std::streamsize>(data.size()));
}

std::string encrypt(std::string_view plain, const std::vector<AgeRecipient>& recipients) {
  std::string out;
  volumes::AgeEncryptor enc([&](std::string_view c) { out.append(c); }, recipients);
  enc.write(plain);
  enc.finish();
  return out;
}

std::string decrypt(std::string_view file, const std::vector<AgeIdentity>& identities) {
  std::string out;
  volumes::AgeDecryptor dec([&](std::string_view c) { out.append(c); }, identities);
  dec.write(file);
  dec.finish();
  return out;
}

// Exit status of a shell command (its stderr is kept in the test's output).
int run(const std::string& command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct PtyRun {
  int exitCode = -1;
  std::string transcript;
};

// Runs `argv` with a fresh pseudo-terminal as its controlling terminal and stdio, typing `answer`
// and Enter at each prompt that mentions a passphrase.
PtyRun runOnPty(const std::vector<std::string>& argv, const std::string& answer) {
  PtyRun result;
  int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  char slaveName[128];
  if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0 ||
      ::ptsname_r(master, slaveName, sizeof slaveName) != 0) {
    ADD_FAILURE() << "cannot open a pseudo-terminal";
    return result;
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    // A new session whose first terminal opened becomes its controlling terminal (/dev/tty).
    ::setsid();
    int slave = ::open(slaveName, O_RDWR);
    if (slave < 0) ::_exit(126);
    ::ioctl(slave, TIOCSCTTY, 0);
    ::dup2(slave, 0);
    ::dup2(slave, 1);
    ::dup2(slave, 2);
    if (slave > 2) ::close(slave);
    ::close(master);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  std::size_t answeredUpTo = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    char buffer[512];
    ssize_t n = ::read(master, buffer, sizeof buffer);
    if (n <= 0) break;  // EIO once the child has closed the terminal
    result.transcript.append(buffer, static_cast<std::size_t>(n));
    std::size_t prompt = result.transcript.find("passphrase", answeredUpTo);
    if (prompt != std::string::npos) {
      answeredUpTo = prompt + 1;
      std::string line = answer + "\n";
      EXPECT_EQ(::write(master, line.data(), line.size()), static_cast<ssize_t>(line.size()));
    }
  }
  if (std::chrono::steady_clock::now() >= deadline) ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(master);
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

class AgeInterop : public ::testing::Test {
 protected:
  void SetUp() override {
    // Not a silent skip: without the reference CLI this test proves nothing, so it fails.
    ASSERT_EQ(run("command -v age >/dev/null && command -v age-keygen >/dev/null"), 0)
        << "the age CLI (age, age-keygen) is not installed: run scripts/packages.sh to install the test "
           "packages";
    dir_ = fs::temp_directory_path() / ("agentchat-age-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

const std::size_t kSizes[] = {0, 1, 65536, 65537, 300000};

}  // namespace

TEST_F(AgeInterop, AgeDecryptsWhatWeEncryptToAKey) {
  AgeIdentity id = volumes::generateIdentity();
  // Our identity file in age-keygen's layout, to check that age reads it too.
  writeFile(dir_ / "key.txt", "# created: by agentchat\n# public key: " + volumes::publicKeyOf(id) + "\n" +
                                  volumes::formatIdentity(id) + "\n");
  for (std::size_t size : kSizes) {
    std::string plain = randomBytes(size, static_cast<unsigned>(size));
    writeFile(dir_ / "in.age", encrypt(plain, {volumes::parseRecipient(volumes::publicKeyOf(id))}));
    ASSERT_EQ(run("age -d -i " + path("key.txt") + " -o " + path("out") + " " + path("in.age")), 0) << size;
    EXPECT_TRUE(readFile(dir_ / "out") == plain) << size;
  }
}

TEST_F(AgeInterop, WeDecryptWhatAgeEncryptsToKeysFromAgeKeygen) {
  ASSERT_EQ(run("age-keygen -o " + path("key.txt") + " 2>/dev/null"), 0);
  std::vector<AgeIdentity> ids = volumes::readIdentityFile(dir_ / "key.txt");
  ASSERT_EQ(ids.size(), 1u);
  ASSERT_EQ(run("age-keygen -y -o " + path("key.pub") + " " + path("key.txt")), 0);
  std::string pub = readFile(dir_ / "key.pub");
  EXPECT_EQ(pub, volumes::publicKeyOf(ids[0]) + "\n") << "age-keygen -y and publicKeyOf disagree";
  AgeIdentity other = volumes::generateIdentity();
  writeFile(dir_ / "recipients.txt", pub + "# ours\n" + volumes::publicKeyOf(other) + "\n");

  for (std::size_t size : kSizes) {
    std::string plain = randomBytes(size, static_cast<unsigned>(size) + 1);
    writeFile(dir_ / "plain", plain);
    ASSERT_EQ(run("age -r " + pub.substr(0, pub.size() - 1) + " -o " + path("a.age") + " " + path("plain")),
              0);
    EXPECT_TRUE(decrypt(readFile(dir_ / "a.age"), ids) == plain) << size;
    ASSERT_EQ(run("age -e -R " + path("recipients.txt") + " -o " + path("b.age") + " " + path("plain")), 0);
    EXPECT_TRUE(decrypt(readFile(dir_ / "b.age"), ids) == plain) << size;
    EXPECT_TRUE(decrypt(readFile(dir_ / "b.age"), {other}) == plain) << size;
  }
  EXPECT_THROW(decrypt(readFile(dir_ / "a.age"), {other}), volumes::AgeError);
}

TEST_F(AgeInterop, AgeDecryptsWhatWeEncryptToAPassphrase) {
  std::string plain = randomBytes(70000, 11);
  writeFile(dir_ / "in.age", encrypt(plain, {volumes::passphraseRecipient("correct horse battery", 14)}));
  PtyRun age = runOnPty({"age", "-d", "-o", path("out"), path("in.age")}, "correct horse battery");
  ASSERT_EQ(age.exitCode, 0) << age.transcript;
  EXPECT_TRUE(readFile(dir_ / "out") == plain);

  PtyRun wrong = runOnPty({"age", "-d", "-o", path("out2"), path("in.age")}, "wrong horse");
  EXPECT_NE(wrong.exitCode, 0) << wrong.transcript;
}

TEST_F(AgeInterop, WeDecryptWhatAgeEncryptsToAPassphrase) {
  std::string plain = randomBytes(70000, 12);
  writeFile(dir_ / "plain", plain);
  // age asks for the passphrase and then for its confirmation; both get the same answer.
  PtyRun age = runOnPty({"age", "-p", "-o", path("p.age"), path("plain")}, "correct horse battery");
  ASSERT_EQ(age.exitCode, 0) << age.transcript;
  std::string file = readFile(dir_ / "p.age");
  ASSERT_NE(file.find("\n-> scrypt "), std::string::npos);
  EXPECT_TRUE(decrypt(file, {volumes::passphraseIdentity("correct horse battery")}) == plain);
  try {
    decrypt(file, {volumes::passphraseIdentity("wrong horse")});
    ADD_FAILURE() << "a wrong passphrase decrypted the file";
  } catch (const volumes::AgeError& e) {
    EXPECT_EQ(e.kind(), volumes::AgeError::Kind::NoIdentityMatched) << e.what();
  }
}
