// agentchat.hooks.* labels: one command per phase for stacks whose compose file cannot change.
#include <gtest/gtest.h>

#include <stdexcept>

#include "compose/hook_labels.hpp"

namespace {

TEST(HookLabels, FillThePhasesTheComposeFileLeavesEmpty) {
  compose::Hooks hooks;
  hooks.preBackup.push_back({{"from", "compose"}, 60, true, std::nullopt});
  compose::addHookLabels({{"agentchat.hooks.pre_backup", "from label"},
                          {"agentchat.hooks.post_restore", "sh -c 'warm cache'"},
                          {"agentchat.hooks.post_restore.timeout", "120"},
                          {"agentchat.hooks.post_restore.on_error", "warn"},
                          {"agentchat.hooks.post_restore.user", "www-data"},
                          {"com.docker.compose.service", "backend"}},
                         "container app-1", hooks);
  ASSERT_EQ(hooks.preBackup.size(), 1u);
  EXPECT_EQ(hooks.preBackup[0].command, (std::vector<std::string>{"from", "compose"}));
  ASSERT_EQ(hooks.postRestore.size(), 1u);
  EXPECT_EQ(hooks.postRestore[0].command, (std::vector<std::string>{"sh", "-c", "warm cache"}));
  EXPECT_EQ(hooks.postRestore[0].timeoutSeconds, 120);
  EXPECT_FALSE(hooks.postRestore[0].failRun);
  EXPECT_EQ(hooks.postRestore[0].user, "www-data");
  EXPECT_TRUE(hooks.postBackup.empty());
}

TEST(HookLabels, BadValuesNameTheLabelAndItsOwner) {
  auto error = [](std::map<std::string, std::string> labels) {
    compose::Hooks hooks;
    try {
      compose::addHookLabels(labels, "container app-1", hooks);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(
      error({{"agentchat.hooks.pre_backup", "x"}, {"agentchat.hooks.pre_backup.timeout", "5s"}}),
      "label agentchat.hooks.pre_backup.timeout of container app-1: must be a whole number of seconds from 1 "
      "to 86400");
  EXPECT_EQ(error({{"agentchat.hooks.pre_backup", "x"}, {"agentchat.hooks.pre_backup.on_error", "ignore"}}),
            "label agentchat.hooks.pre_backup.on_error of container app-1: must be fail or warn");
  EXPECT_EQ(error({{"agentchat.hooks.pre_backup", "  "}}),
            "label agentchat.hooks.pre_backup of container app-1: must name a command");
  EXPECT_EQ(error({{"agentchat.hooks.post_backup.timeout", "5"}}),
            "label agentchat.hooks.post_backup.timeout of container app-1: set, but there is no "
            "agentchat.hooks.post_backup label with the command");
}

}  // namespace
