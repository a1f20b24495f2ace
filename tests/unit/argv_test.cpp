#include "plugin/cli/argv.hpp"

#include <gtest/gtest.h>

#include "plugin/cli/metadata.hpp"

#include <nlohmann/json.hpp>

using agentchat::rewriteHelp;
using agentchat::stripPluginName;
using V = std::vector<std::string>;

TEST(PluginArgv, DropsThePluginNameAfterDockersGlobalFlags) {
  EXPECT_EQ(stripPluginName({"agentchat", "version"}), (V{"version"}));
  EXPECT_EQ(stripPluginName({"-H", "unix:///x.sock", "-D", "agentchat", "version", "--json"}),
            (V{"-H", "unix:///x.sock", "-D", "version", "--json"}));
  EXPECT_EQ(stripPluginName({"--context=prod", "agentchat", "version"}), (V{"--context=prod", "version"}));
  EXPECT_EQ(stripPluginName({"--tlsverify", "--tlscacert", "ca.pem", "agentchat", "version"}),
            (V{"--tlsverify", "--tlscacert", "ca.pem", "version"}));
  // A context literally named "agentchat" is a flag's value, not the plugin name.
  EXPECT_EQ(stripPluginName({"-c", "agentchat", "agentchat", "version"}), (V{"-c", "agentchat", "version"}));
}

TEST(PluginArgv, LeavesStandaloneCallsAlone) {
  EXPECT_EQ(stripPluginName({"version"}), (V{"version"}));
  EXPECT_EQ(stripPluginName({"-H", "tcp://h:2375", "version"}), (V{"-H", "tcp://h:2375", "version"}));
  // Only the first word after the flags can be the plugin's name.
  EXPECT_EQ(stripPluginName({"version", "agentchat"}), (V{"version", "agentchat"}));
  EXPECT_EQ(stripPluginName({}), V{});
}

TEST(PluginArgv, RewritesDockerHelp) {
  EXPECT_EQ(rewriteHelp({"help", "agentchat"}), (V{"--help"}));
  EXPECT_EQ(rewriteHelp({"help", "agentchat", "version"}), (V{"version", "--help"}));
  EXPECT_EQ(rewriteHelp({"help"}), (V{"--help"}));
  EXPECT_EQ(rewriteHelp({"version"}), (V{"version"}));
}

TEST(PluginMetadata, HasTheFieldsTheDockerCliReads) {
  auto metadata = nlohmann::json::parse(agentchat::pluginMetadataJson());
  EXPECT_EQ(metadata["SchemaVersion"], "0.1.0");
  for (const char* key : {"Vendor", "Version", "ShortDescription", "URL"}) {
    EXPECT_TRUE(metadata.contains(key)) << key;
  }
  EXPECT_FALSE(metadata["Version"].get<std::string>().empty());
}
