// The Engine API client against the real engine: negotiation, exec (with and without stdin),
// archives, helper containers and the errors a person sees.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "base/sha256.hpp"
#include "dockerapi/errors.hpp"
#include "dockerapi/exec.hpp"
#include "dockerapi/helper_container.hpp"
#include "dockerapi/http_engine.hpp"
#include "e2e_support.hpp"

using namespace dockerapi;

TEST(EngineApi, NegotiatesTheApiVersionFromPing) {
  REQUIRE_ENGINE(engine);
  VersionInfo server = engine.version();
  ApiVersion expected = std::min(ApiVersion::parse(server.apiVersion), kMaxApiVersion);
  EXPECT_EQ(engine.apiVersion(), expected);
  EXPECT_GE(engine.apiVersion(), kMinApiVersion);
  EXPECT_FALSE(server.engineVersion.empty());
  EXPECT_TRUE(engine.info().contains("DockerRootDir"));
  EXPECT_TRUE(engine.systemDf().contains("Volumes"));
}

TEST(EngineApi, ExecSeparatesStdoutStderrAndExitCode) {
  REQUIRE_ENGINE(engine);
  auto result = execCapture(engine, e2e::stack("BACKEND_CONTAINER"),
                            {{"sh", "-c", "echo to-out; echo to-err >&2; printf more; exit 7"}, {}, {}, {}});
  EXPECT_EQ(result.exitCode, 7);
  EXPECT_EQ(result.out, "to-out\nmore");
  EXPECT_EQ(result.err, "to-err\n");
  EXPECT_FALSE(result.execId.empty());
}

TEST(EngineApi, ExecPassesEnvironmentUserAndWorkingDir) {
  REQUIRE_ENGINE(engine);
  auto result =
      execCapture(engine, e2e::stack("MYSQL_CONTAINER"),
                  {{"sh", "-c", "echo \"$GREETING $(id -un) $(pwd)\""}, {"GREETING=hi"}, "mysql", "/tmp"});
  EXPECT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(result.out, "hi mysql /tmp\n");
}

TEST(EngineApi, ExecStreamsLargeOutputWithoutLoss) {
  REQUIRE_ENGINE(engine);
  base::Sha256 hash;
  std::uint64_t bytes = 0;
  // 64 MiB of a known pattern, hashed inside the container and on our side.
  auto result = engine.exec(
      e2e::stack("BACKEND_CONTAINER"),
      {{"sh", "-c", "head -c 67108864 /dev/zero | tr '\\0' 'q'"}, {}, {}, {}},
      [&](std::string_view chunk) {
        hash.update(chunk);
        bytes += chunk.size();
      },
      [](std::string_view) {});
  EXPECT_EQ(result.exitCode, 0);
  EXPECT_EQ(bytes, 67108864u);
  EXPECT_EQ(result.stdoutBytes, 67108864u);
  EXPECT_EQ(hash.hexDigest(), base::sha256Hex(std::string(67108864, 'q')));
}

TEST(EngineApi, ExecWithStdinPipes50MBThroughCat) {
  REQUIRE_ENGINE(engine);
  constexpr std::size_t kTotal = 50 * 1000 * 1000;
  std::mt19937_64 random(2026);
  std::size_t produced = 0;
  base::Sha256 sent, received;
  std::uint64_t receivedBytes = 0;
  auto source = [&](char* buffer, std::size_t capacity) -> std::size_t {
    std::size_t n = std::min(capacity, kTotal - produced) & ~std::size_t{7};
    if (kTotal - produced < 8) n = kTotal - produced;
    for (std::size_t i = 0; i + 8 <= n; i += 8) {
      std::uint64_t word = random();
      std::memcpy(buffer + i, &word, 8);
    }
    for (std::size_t i = n & ~std::size_t{7}; i < n; ++i) buffer[i] = 'z';
    sent.update(std::string_view(buffer, n));
    produced += n;
    return n;
  };
  auto result = engine.exec(
      e2e::stack("BACKEND_CONTAINER"), {{"cat"}, {}, {}, {}},
      [&](std::string_view chunk) {
        received.update(chunk);
        receivedBytes += chunk.size();
      },
      [](std::string_view) {}, source);
  EXPECT_EQ(result.exitCode, 0);
  EXPECT_EQ(produced, kTotal);
  EXPECT_EQ(receivedBytes, kTotal);
  EXPECT_EQ(received.hexDigest(), sent.hexDigest());
}

TEST(EngineApi, ExecWithStdinToleratesAProcessThatStopsReading) {
  REQUIRE_ENGINE(engine);
  std::size_t offered = 0;
  auto endless = [&](char* buffer, std::size_t capacity) -> std::size_t {
    if (offered > 512 * 1024 * 1024) return 0;  // bound the test even if something is wrong
    std::memset(buffer, 'x', capacity);
    offered += capacity;
    return capacity;
  };
  std::string out;
  auto result = engine.exec(
      e2e::stack("BACKEND_CONTAINER"), {{"head", "-c", "100"}, {}, {}, {}},
      [&](std::string_view chunk) { out.append(chunk); }, [](std::string_view) {}, endless);
  EXPECT_EQ(result.exitCode, 0);
  EXPECT_EQ(out, std::string(100, 'x'));
}

TEST(EngineApi, ExecOfAMissingProgramFailsWithoutHanging) {
  REQUIRE_ENGINE(engine);
  auto result = execCapture(engine, e2e::stack("BACKEND_CONTAINER"), {{"no-such-program-here"}, {}, {}, {}});
  EXPECT_NE(result.exitCode, 0);
}

namespace {

// Everything about a tree that an archive round trip must keep: type, mode, owner, size, link
// target, link count and mtime of files, and the bytes.
const char* kListing =
    "cd /agentchat/volume && find . -printf '%p|%y|%m|%U|%G|%l|%n\\n' | sort && "
    "find . -type f -printf '%p|%s|%Ts\\n' | sort && find . -type f -exec sha256sum {} + | sort";

}  // namespace

TEST(EngineApi, ArchiveRoundTripKeepsBytesModesOwnersAndLinks) {
  REQUIRE_ENGINE(engine);
  e2e::ScratchVolume source(engine), target(engine);
  std::string before;
  {
    e2e::ScratchContainer writer(engine,
                                 {{MountSpec::Type::Volume, source.name(), "/agentchat/volume", false}});
    writer.sh(
        "cd /agentchat/volume && mkdir -p dir/sub 'with space' empty && printf hello > dir/a.txt && "
        "head -c 3000000 /dev/urandom > big.bin && chown 1234:2345 dir/a.txt && chmod 0640 dir/a.txt && "
        "chmod 0750 dir/sub && chown 999:999 dir/sub && chmod 4755 big.bin && ln -s dir/a.txt rel-link && "
        "ln -s /etc/does-not-exist abs-link && ln dir/a.txt hard.txt && "
        "touch -d '2001-02-03 04:05:06' 'with space/old.txt' && printf x > 'unicode-数据.txt' && "
        "chown -h 77:88 rel-link");
    before = writer.sh(kListing);
  }
  ASSERT_NE(before.find("./rel-link|l|777|77|88|dir/a.txt"), std::string::npos) << before;

  std::string tar;
  std::string image = pickHelperImage(engine, {"agentchat-test/app:e2e"});
  {
    auto reader = HelperContainer::forVolume(engine, image, source.name(), /*readOnly=*/true, "e2e-read");
    PathStat stat = engine.getArchive(reader.id(), HelperContainer::kVolumeMount,
                                      [&tar](std::string_view chunk) { tar.append(chunk); });
    EXPECT_TRUE(stat.isDir());
    EXPECT_EQ(stat.name, "volume");
  }
  ASSERT_GT(tar.size(), 3000000u);
  {
    auto writer = HelperContainer::forVolume(engine, image, target.name(), false, "e2e-write");
    std::size_t offset = 0;
    engine.putArchive(writer.id(), "/agentchat", [&](char* buffer, std::size_t capacity) {
      std::size_t n = std::min(capacity, tar.size() - offset);
      std::memcpy(buffer, tar.data() + offset, n);
      offset += n;
      return n;
    });
  }
  e2e::ScratchContainer checker(engine,
                                {{MountSpec::Type::Volume, target.name(), "/agentchat/volume", true}});
  EXPECT_EQ(checker.sh(kListing), before);
}

TEST(EngineApi, HelperContainersAreCreatedNotStartedAndAlwaysRemoved) {
  REQUIRE_ENGINE(engine);
  e2e::ScratchVolume volume(engine);
  std::string id;
  {
    auto helper = HelperContainer::forVolume(engine, "agentchat-test/app:e2e", volume.name(), true, "e2e");
    id = helper.id();
    ContainerInfo info = engine.inspectContainer(id);
    EXPECT_EQ(info.status, "created");
    EXPECT_EQ(info.labels.at(kHelperLabel), "true");
    ASSERT_EQ(info.mounts.size(), 1u);
    EXPECT_EQ(info.mounts[0].name, volume.name());
    EXPECT_TRUE(info.mounts[0].readOnly);
    PathStat stat = engine.statPath(id, HelperContainer::kVolumeMount);
    EXPECT_TRUE(stat.isDir());
  }
  EXPECT_THROW(engine.inspectContainer(id), EngineError);
  // The volume outlives its helper.
  EXPECT_EQ(engine.inspectVolume(volume.name()).name, volume.name());
}

TEST(EngineApi, PickHelperImageNamesWhatItTried) {
  REQUIRE_ENGINE(engine);
  EXPECT_EQ(pickHelperImage(engine, {"agentchat-test/none:missing", "agentchat-test/app:e2e"}),
            "agentchat-test/app:e2e");
  try {
    pickHelperImage(engine, {"agentchat-test/none:missing"});
    FAIL() << "no error";
  } catch (const EngineError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::NotFound);
    EXPECT_NE(std::string(e.what()).find("agentchat-test/none:missing"), std::string::npos);
  }
}

TEST(EngineApi, ListsTheStacksContainersAndVolumesByLabel) {
  REQUIRE_ENGINE(engine);
  std::string project = e2e::stack("PROJECT");
  auto containers = engine.listContainers({{"label", {"com.docker.compose.project=" + project}}}, true);
  std::set<std::string> services;
  for (const auto& c : containers) services.insert(c.labels.at("com.docker.compose.service"));
  EXPECT_EQ(services, (std::set<std::string>{"backend", "mysql", "redis"}));
  auto volumes = engine.listVolumes({{"label", {"com.docker.compose.project=" + project}}});
  std::set<std::string> keys;
  for (const auto& v : volumes) keys.insert(v.labels.at("com.docker.compose.volume"));
  EXPECT_EQ(keys, (std::set<std::string>{"app_data", "mysql_data", "redis_data"}));
}

TEST(EngineErrorsLive, EngineNotRunningSaysWhereAndWhatToDo) {
  HttpEngine engine(parseHost("unix:///tmp/agentchat-no-engine-here.sock", false));
  try {
    engine.version();
    FAIL() << "no error";
  } catch (const EngineError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unreachable);
    std::string text = e.what();
    EXPECT_NE(text.find("unix:///tmp/agentchat-no-engine-here.sock"), std::string::npos) << text;
    EXPECT_NE(text.find("Is the Docker engine running?"), std::string::npos) << text;
  }
}

TEST(EngineErrorsLive, NoSuchContainer) {
  REQUIRE_ENGINE(engine);
  try {
    execCapture(engine, "agentchat-e2e-no-such-container", {{"true"}, {}, {}, {}});
    FAIL() << "no error";
  } catch (const EngineError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::NotFound);
    EXPECT_NE(std::string(e.what()).find("agentchat-e2e-no-such-container"), std::string::npos) << e.what();
  }
  EXPECT_THROW(engine.getArchive("agentchat-e2e-no-such-container", "/", [](std::string_view) {}),
               EngineError);
}

TEST(EngineErrorsLive, ContainerNotRunning) {
  REQUIRE_ENGINE(engine);
  e2e::ScratchVolume volume(engine);
  auto helper = HelperContainer::forVolume(engine, "agentchat-test/app:e2e", volume.name(), true, "e2e");
  try {
    execCapture(engine, helper.id(), {{"true"}, {}, {}, {}});
    FAIL() << "no error";
  } catch (const EngineError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::NotRunning) << e.what();
    EXPECT_NE(std::string(e.what()).find("is not running"), std::string::npos) << e.what();
  }
}

TEST(EngineErrorsLive, MissingPathInContainer) {
  REQUIRE_ENGINE(engine);
  try {
    engine.getArchive(e2e::stack("BACKEND_CONTAINER"), "/no/such/path", [](std::string_view) {});
    FAIL() << "no error";
  } catch (const EngineError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::NotFound) << e.what();
  }
  EXPECT_THROW(engine.statPath(e2e::stack("BACKEND_CONTAINER"), "/no/such/path"), EngineError);
}
