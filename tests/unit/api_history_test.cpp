// The same facts read from the answers of API 1.41 (Engine 20.10) through 1.51 (Engine 28, and
// Engine 29 on the containerd image store), from recorded bodies in tests/data/engine-api.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "dockerapi/errors.hpp"
#include "dockerapi/inspect_parse.hpp"

using namespace dockerapi;
using nlohmann::json;

namespace {

json recorded(const std::string& name) {
  std::ifstream in(std::string(AGENTCHAT_TEST_DATA) + "/engine-api/" + name);
  EXPECT_TRUE(in) << name;
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

const std::string kConfigDigest = "sha256:ba6f401505de1631886b5ba473c456a382c37f0d30c308665fca017a8a6af4c7";
const std::string kIndexDigest = "sha256:95af8d675d5af40ed8523de10273567dd68db5fdbdee98e13945733ca536d524";

class ContainerInspectAcrossVersions : public ::testing::TestWithParam<const char*> {};

}  // namespace

TEST_P(ContainerInspectAcrossVersions, ReadsTheSameFacts) {
  ContainerInfo c = containerInfoFrom(recorded(std::string("container-inspect-") + GetParam() + ".json"));
  EXPECT_EQ(c.name, "chat-mysql-1");
  EXPECT_EQ(c.image, "mysql:8.0");
  EXPECT_EQ(c.status, "running");
  EXPECT_TRUE(c.running);
  EXPECT_FALSE(c.paused);
  EXPECT_EQ(c.startedAt, "2024-03-01T10:00:00.123456789Z");
  ASSERT_TRUE(c.health.has_value());
  EXPECT_EQ(*c.health, "healthy");
  EXPECT_EQ(c.labels.at("com.docker.compose.service"), "mysql");
  EXPECT_EQ(c.env.front(), "MYSQL_ROOT_PASSWORD=recorded-not-secret");
  EXPECT_EQ(c.cmd, std::vector<std::string>{"mysqld"});
  EXPECT_EQ(c.entrypoint, std::vector<std::string>{"docker-entrypoint.sh"});
  ASSERT_EQ(c.mounts.size(), 2u);
  EXPECT_EQ(c.mounts[0].type, "volume");
  EXPECT_EQ(c.mounts[0].name, "chat_mysql_data");
  EXPECT_EQ(c.mounts[0].destination, "/var/lib/mysql");
  EXPECT_FALSE(c.mounts[0].readOnly);
  EXPECT_EQ(c.mounts[1].type, "bind");
  EXPECT_EQ(c.mounts[1].source, "/srv/chat/mysql/my.cnf");
  EXPECT_TRUE(c.mounts[1].readOnly);
  // The image Id is a digest in every version; which digest depends on the image store.
  EXPECT_EQ(c.imageId.rfind("sha256:", 0), 0u);
}

INSTANTIATE_TEST_SUITE_P(Api, ContainerInspectAcrossVersions,
                         ::testing::Values("1.41", "1.44", "1.45", "1.51"), [](const auto& info) {
                           std::string name = std::string("v") + info.param;
                           name.replace(name.find('.'), 1, "_");
                           return name;
                         });

TEST(ApiHistory, ContainerImageIdIsTheConfigDigestOnTheClassicStoreAndTheIndexDigestOnContainerd) {
  EXPECT_EQ(containerInfoFrom(recorded("container-inspect-1.41.json")).imageId, kConfigDigest);
  EXPECT_EQ(containerInfoFrom(recorded("container-inspect-1.51.json")).imageId, kIndexDigest);
}

TEST(ApiHistory, ContainerListReadsTheSameFromEngine20AndEngine29) {
  auto old = containerSummariesFrom(recorded("container-list-1.41.json"));
  auto now = containerSummariesFrom(recorded("container-list-1.51.json"));
  ASSERT_EQ(old.size(), 1u);
  ASSERT_EQ(now.size(), 1u);
  for (const auto& c : {old[0], now[0]}) {
    EXPECT_EQ(c.name, "chat-mysql-1");
    EXPECT_EQ(c.image, "mysql:8.0");
    EXPECT_EQ(c.state, "running");
    EXPECT_EQ(c.labels.at("com.docker.compose.project"), "chat");
  }
  EXPECT_EQ(old[0].imageId, kConfigDigest);
  EXPECT_EQ(now[0].imageId, kIndexDigest);
  EXPECT_TRUE(containerSummariesFrom(json()).empty());  // null, not a list
}

TEST(ApiHistory, VolumeInspectReadsLabelsWhetherOptionsIsNullOrEmpty) {
  VolumeInfo old = volumeInfoFrom(recorded("volume-inspect-1.41.json"));
  VolumeInfo now = volumeInfoFrom(recorded("volume-inspect-1.51.json"));
  for (const auto& v : {old, now}) {
    EXPECT_EQ(v.name, "chat_mysql_data");
    EXPECT_EQ(v.driver, "local");
    EXPECT_EQ(v.scope, "local");
    EXPECT_EQ(v.mountpoint, "/var/lib/docker/volumes/chat_mysql_data/_data");
    EXPECT_EQ(v.labels.at("com.docker.compose.volume"), "mysql_data");
    EXPECT_TRUE(v.options.empty());
  }
  EXPECT_EQ(now.labels.count("com.docker.compose.config-hash"), 1u);  // compose v2.32+ writes it
}

TEST(ApiHistory, ImageInspectWithAndWithoutTheFieldsLaterVersionsDropped) {
  // 20.10: VirtualSize, Container, ContainerConfig present; Engine 29: gone, Descriptor added.
  ImageInfo old = imageInfoFrom(recorded("image-inspect-20.10.json"));
  ImageInfo now = imageInfoFrom(recorded("image-inspect-29-containerd.json"));
  EXPECT_EQ(old.id, kConfigDigest);
  EXPECT_EQ(now.id, kIndexDigest);
  for (const auto& i : {old, now}) {
    EXPECT_EQ(i.repoTags, std::vector<std::string>{"mysql:8.0"});
    EXPECT_EQ(i.repoDigests, std::vector<std::string>{"mysql@" + kIndexDigest});
    EXPECT_EQ(i.layers.size(), 3u);
    EXPECT_EQ(i.os, "linux");
    EXPECT_EQ(i.architecture, "amd64");
  }
  EXPECT_EQ(old.layers, now.layers);
}

TEST(ApiHistory, VersionReadsTheServersRange) {
  VersionInfo old = versionInfoFrom(recorded("version-20.10.json"));
  VersionInfo now = versionInfoFrom(recorded("version-29.json"));
  EXPECT_EQ(old.engineVersion, "20.10.24");
  EXPECT_EQ(old.apiVersion, "1.41");
  EXPECT_EQ(old.minApiVersion, "1.12");
  EXPECT_EQ(now.engineVersion, "29.0.4");
  EXPECT_EQ(now.apiVersion, "1.52");
  EXPECT_EQ(now.minApiVersion, "1.44");  // Engine 29 refuses 1.41-1.43: we ask for the highest we speak
  EXPECT_EQ(now.os, "linux");
}

TEST(ApiHistory, NegotiationPicksTheLowerOfTheServersAndOurs) {
  EXPECT_EQ(negotiateApiVersion("1.41").str(), "1.41");
  EXPECT_EQ(negotiateApiVersion("1.44").str(), "1.44");
  EXPECT_EQ(negotiateApiVersion("1.45").str(), "1.45");
  EXPECT_EQ(negotiateApiVersion("1.51").str(), "1.51");
  EXPECT_EQ(negotiateApiVersion("1.52").str(), "1.51");  // Engine 29
  EXPECT_EQ(negotiateApiVersion("1.56").str(), "1.51");
  EXPECT_EQ(negotiateApiVersion("2.0").str(), "1.51");
  EXPECT_EQ(kMaxApiVersion.str(), "1.51");
}

TEST(ApiHistory, NegotiationRefusesEnginesOlderThan2010WithAClearError) {
  try {
    negotiateApiVersion("1.40");
    FAIL() << "API 1.40 accepted";
  } catch (const EngineError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
    std::string text = e.what();
    EXPECT_NE(text.find("1.40"), std::string::npos) << text;
    EXPECT_NE(text.find("1.41"), std::string::npos) << text;
    EXPECT_NE(text.find("Docker Engine 20.10"), std::string::npos) << text;
  }
  EXPECT_THROW(negotiateApiVersion(""), EngineError);
  EXPECT_THROW(negotiateApiVersion("1.24"), EngineError);
  try {
    negotiateApiVersion("garbage");
    FAIL() << "garbage accepted";
  } catch (const EngineError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Protocol);
  }
}
