// Whatever happens, what a run paused or stopped is resumed: at scope end, on error, on SIGINT.
#include "plugin/guard/stack_guard.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dockerapi/context.hpp"
#include "dockerapi/http_engine.hpp"
#include "e2e_support.hpp"

TEST(StackGuardLive, ResumesAtScopeEndEvenOnError) {
  REQUIRE_ENGINE(engine);
  e2e::ScratchContainer app(engine, {});
  e2e::ScratchContainer worker(engine, {});
  try {
    agentchat::StackGuard guard(engine);
    guard.pause(app.id(), "app");
    guard.stop(worker.id(), "worker", 1);
    EXPECT_TRUE(engine.inspectContainer(app.id()).paused);
    EXPECT_FALSE(engine.inspectContainer(worker.id()).running);
    throw std::runtime_error("a step failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(engine.inspectContainer(app.id()).paused);
  EXPECT_TRUE(engine.inspectContainer(app.id()).running);
  EXPECT_TRUE(engine.inspectContainer(worker.id()).running);
}

TEST(StackGuardLive, ResumeAllIsIdempotent) {
  REQUIRE_ENGINE(engine);
  e2e::ScratchContainer app(engine, {});
  agentchat::StackGuard guard(engine);
  guard.pause(app.id(), "app");
  EXPECT_TRUE(guard.resumeAll().empty());
  EXPECT_TRUE(guard.resumeAll().empty());
  EXPECT_FALSE(engine.inspectContainer(app.id()).paused);
}

TEST(StackGuardLive, SigintResumesPausedAndStoppedContainersThenExits130) {
  REQUIRE_ENGINE(engine);
  e2e::ScratchContainer app(engine, {});
  e2e::ScratchContainer worker(engine, {});
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // A run of the plugin, in miniature: it pauses and stops, then is interrupted.
    ::close(ready[0]);
    agentchat::StackGuard::installSignalHandling();
    dockerapi::HttpEngine own(dockerapi::resolveEndpoint({}, dockerapi::processEnviron()).endpoint);
    agentchat::StackGuard guard(own);
    guard.pause(app.id(), "app");
    guard.stop(worker.id(), "worker", 1);
    if (::write(ready[1], "r", 1) != 1) ::_exit(90);
    for (;;) ::pause();
  }
  ::close(ready[1]);
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1) << "the child did not get to pause the containers";
  ::close(ready[0]);
  EXPECT_TRUE(engine.inspectContainer(app.id()).paused);
  EXPECT_FALSE(engine.inspectContainer(worker.id()).running);
  ::kill(child, SIGINT);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_FALSE(engine.inspectContainer(app.id()).paused);
  EXPECT_TRUE(engine.inspectContainer(app.id()).running);
  EXPECT_TRUE(engine.inspectContainer(worker.id()).running);
}
