// The hooks' order and undo rule on the fake engine: pre hooks service by service, and post hooks for
// exactly the services whose pre phase completed — also when a later pre hook failed — with the
// run's outcome in their environment; on_error warn goes on; output is logged with secrets masked.
#include <gtest/gtest.h>

#include "plugin/hooks/hook_runner.hpp"
#include "tests/support/fake_stack.hpp"

namespace {

using agentchat::HookPhase;
using agentchat_test::ExecReply;
using agentchat_test::ExecRequest;

compose::Hook hook(std::vector<std::string> command, bool failRun = true) {
  return {std::move(command), 60, failRun, std::nullopt};
}

std::string envValue(const ExecRequest& request, const std::string& name) {
  for (const auto& e : request.env) {
    if (e.rfind(name + "=", 0) == 0) return e.substr(name.size() + 1);
  }
  return "";
}

class HookRunnerFlow : public ::testing::Test {
 protected:
  HookRunnerFlow() : stack(engine, "shop") {
    for (const char* name : {"a", "b", "c"}) {
      auto& s = stack.service(name, compose::Role::App, "app:1");
      s.settings.hooks.preBackup = {hook({"pre", name})};
      s.settings.hooks.postBackup = {hook({"post", name})};
    }
    // "pre b" fails while failB is set; every run is recorded as "command service outcome".
    engine.onExec([this](const ExecRequest& r) -> std::optional<ExecReply> {
      ran.push_back(r.cmd[0] + " " + r.cmd[1] +
                    (r.cmd[0] == "post" ? " " + envValue(r, "AGENTCHAT_OUTCOME") : ""));
      EXPECT_EQ(envValue(r, "AGENTCHAT_BACKUP_ID"), "20261202T020000Z");
      EXPECT_EQ(envValue(r, "AGENTCHAT_SERVICE"), r.cmd[1]);
      if ((r.cmd == std::vector<std::string>{"pre", "b"} && failB) || r.cmd[0] == "fail")
        return ExecReply{"", "queue busy s3cr3t-pw\n", 3};
      return ExecReply{"done\n", "", 0};
    });
  }

  agentchat::HookRunner runner() {
    base::SecretMask mask;
    mask.add("s3cr3t-pw");
    return agentchat::HookRunner(
        engine, stack.stack(), mask,
        {{"AGENTCHAT_PROJECT", "shop"}, {"AGENTCHAT_BACKUP_ID", "20261202T020000Z"}});
  }

  agentchat_test::FakeEngine engine;
  agentchat_test::FakeStack stack;
  std::vector<std::string> ran;
  bool failB = false;
};

TEST_F(HookRunnerFlow, PreThenPostForEveryServiceInNameOrder) {
  auto hooks = runner();
  hooks.runPre(HookPhase::PreBackup);
  EXPECT_EQ(hooks.runPost(HookPhase::PostBackup, true), "");
  EXPECT_EQ(ran,
            (std::vector<std::string>{"pre a", "pre b", "pre c", "post a ok", "post b ok", "post c ok"}));
  EXPECT_EQ(hooks.runPost(HookPhase::PostBackup, false), "") << "post hooks run once";
  EXPECT_EQ(ran.size(), 6u);
  ASSERT_EQ(hooks.records().size(), 6u);
  EXPECT_EQ(hooks.records()[0].outcome, "ok");
  EXPECT_EQ(hooks.records()[0].container, "shop-a-1");
}

TEST_F(HookRunnerFlow, AFailingPreHookStopsTheRunAndOnlyTheServicesBeforeItAreUndone) {
  failB = true;
  auto hooks = runner();
  try {
    hooks.runPre(HookPhase::PreBackup);
    FAIL() << "no HookFailed";
  } catch (const agentchat::HookFailed& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("pre_backup hook of service b `pre b` exited with 3: queue busy ***"),
              std::string::npos)
        << message;
    EXPECT_EQ(message.find("s3cr3t-pw"), std::string::npos);
    EXPECT_EQ(e.exitCode(), 1);
  }
  hooks.runPost(HookPhase::PostBackup, false);
  EXPECT_EQ(ran, (std::vector<std::string>{"pre a", "pre b", "post a failed"}));
  EXPECT_EQ(hooks.records()[1].outcome, "failed");
  EXPECT_EQ(hooks.records()[1].exitCode, 3);
  EXPECT_EQ(hooks.records()[1].lastLine, "queue busy ***");
}

TEST_F(HookRunnerFlow, OnErrorWarnGoesOnAndAPostFailureIsReturnedNotThrown) {
  failB = true;
  stack.stack().services.at("b").settings.hooks.preBackup[0].failRun = false;
  stack.stack().services.at("c").settings.hooks.postBackup = {hook({"fail", "c"})};
  auto hooks = runner();
  hooks.runPre(HookPhase::PreBackup);
  std::string failure = hooks.runPost(HookPhase::PostBackup, true);
  EXPECT_NE(failure.find("post_backup hook of service c `fail c` exited with 3"), std::string::npos)
      << failure;
  EXPECT_EQ(ran, (std::vector<std::string>{"pre a", "pre b", "pre c", "post a ok", "post b ok", "fail c"}));
}

TEST_F(HookRunnerFlow, AServiceWithoutARunningContainerIsSkipped) {
  engine.container("shop-b-1").state = "exited";
  stack.stack().services.at("b").containers[0].state = "exited";
  auto hooks = runner();
  hooks.runPre(HookPhase::PreBackup);
  EXPECT_EQ(ran, (std::vector<std::string>{"pre a", "pre c"}));
  EXPECT_EQ(hooks.records()[1].outcome, "not running");
}

}  // namespace
