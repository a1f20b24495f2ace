// The labels a volume is created with on an engine that lacks it: the user's and compose's two
// matching labels, never a label compose computed for another engine.
#include "plugin/backup/volume_labels.hpp"

#include <gtest/gtest.h>

using namespace agentchat;

TEST(VolumeLabels, AConfigHashReadFromTheSourceEngineIsNeverCopied) {
  // As compose v2.32+ labels a volume it created on the source.
  std::map<std::string, std::string> source = {
      {"com.docker.compose.config-hash", "5b1d0c4e8f0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3"},
      {"com.docker.compose.project", "chat"},
      {"com.docker.compose.version", "2.39.1"},
      {"com.docker.compose.volume", "mysql_data"},
      {"backup.tier", "gold"}};
  auto labels = newVolumeLabels(source, "chat", "mysql_data");
  EXPECT_EQ(labels.count("com.docker.compose.config-hash"), 0u);
  EXPECT_EQ(labels.count("com.docker.compose.version"), 0u);
  EXPECT_EQ(labels.at("com.docker.compose.project"), "chat");
  EXPECT_EQ(labels.at("com.docker.compose.volume"), "mysql_data");
  EXPECT_EQ(labels.at("backup.tier"), "gold");
  EXPECT_EQ(labels.size(), 3u);
}

TEST(VolumeLabels, TheTargetsProjectAndKeyWinOverTheRecordedOnes) {
  auto labels = newVolumeLabels({{"com.docker.compose.project", "old"}, {"com.docker.compose.volume", "x"}},
                                "chat", "redis_data");
  EXPECT_EQ(labels.at("com.docker.compose.project"), "chat");
  EXPECT_EQ(labels.at("com.docker.compose.volume"), "redis_data");
}

TEST(VolumeLabels, AVolumeOnlyTheComposeFileKnowsKeepsItsFileLabels) {
  auto labels = newVolumeLabels({{"com.example.owner", "ops"}}, "chat", "app_data");
  EXPECT_EQ(labels, (std::map<std::string, std::string>{{"com.docker.compose.project", "chat"},
                                                        {"com.docker.compose.volume", "app_data"},
                                                        {"com.example.owner", "ops"}}));
}
