// One image on a 20.10 engine (classic store: Id = config digest) and on Engine 29 (containerd
// store: Id = index digest) is the same image; only differing content makes images different.
#include "dockerapi/image_identity.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "dockerapi/inspect_parse.hpp"

using namespace dockerapi;

namespace {

ImageInfo recorded(const std::string& name) {
  std::ifstream in(std::string(AGENTCHAT_TEST_DATA) + "/engine-api/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return imageInfoFrom(nlohmann::json::parse(text.str()));
}

}  // namespace

TEST(ImageIdentity, OneImageInTheClassicAndTheContainerdStoreIsTheSameDespiteItsTwoIds) {
  ImageInfo classic = recorded("image-inspect-20.10.json");
  ImageInfo containerd = recorded("image-inspect-29-containerd.json");
  ASSERT_NE(classic.id, containerd.id);
  EXPECT_EQ(compareImages(classic, containerd).match, ImageMatch::Same);
  EXPECT_EQ(compareImages(containerd, classic).match, ImageMatch::Same);
}

TEST(ImageIdentity, TheContainerdIdMatchesTheDigestTheClassicEnginePulledBy) {
  ImageInfo classic = recorded("image-inspect-20.10.json");
  ImageInfo containerd = recorded("image-inspect-29-containerd.json");
  containerd.repoDigests.clear();  // e.g. re-tagged locally: the Id is still the index digest
  EXPECT_EQ(compareImages(classic, containerd).match, ImageMatch::Same);
}

TEST(ImageIdentity, ABuiltImageWithDifferentIdsAndTheSameLayersIsUnknownNotDifferent) {
  ImageInfo classic = recorded("image-inspect-20.10.json");
  ImageInfo containerd = recorded("image-inspect-29-containerd.json");
  classic.repoDigests.clear();  // built or loaded: no registry digest on either side
  containerd.repoDigests.clear();
  containerd.id = "sha256:0e3f4bd7c3a1f0b16e8a2c9d5f7e1b4a6c8d0f2e4a6b8c0d2e4f6a8b0c2d4e6f8";
  auto result = compareImages(classic, containerd);
  EXPECT_EQ(result.match, ImageMatch::Unknown);
  EXPECT_NE(result.reason.find("containerd"), std::string::npos);
}

TEST(ImageIdentity, OtherLayersOrAnotherPlatformAreDifferent) {
  ImageInfo source = recorded("image-inspect-20.10.json");
  ImageInfo target = recorded("image-inspect-29-containerd.json");
  target.repoDigests = {"mysql@sha256:1111111111111111111111111111111111111111111111111111111111111111"};
  target.id = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
  target.layers.back() = "sha256:3333333333333333333333333333333333333333333333333333333333333333";
  EXPECT_EQ(compareImages(source, target).match, ImageMatch::Different);

  target = recorded("image-inspect-29-containerd.json");
  target.repoDigests.clear();
  target.id = "sha256:4444444444444444444444444444444444444444444444444444444444444444";
  target.architecture = "arm64";
  target.variant = "v8";
  auto result = compareImages(source, target);
  EXPECT_EQ(result.match, ImageMatch::Different);
  EXPECT_NE(result.reason.find("linux/arm64/v8"), std::string::npos);
}

TEST(ImageIdentity, NothingToCompareIsUnknown) {
  EXPECT_EQ(compareImages(ImageInfo{}, ImageInfo{}).match, ImageMatch::Unknown);
}
