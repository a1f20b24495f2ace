// A run killed with -9 leaves its journal, its lock file naming it, helper containers and a staging
// directory; the next run (undoDeadRun) finds and undoes all of it on the fake engine.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ctime>
#include <fstream>

#include "base/process_owner.hpp"
#include "dockerapi/errors.hpp"
#include "dockerapi/helper_container.hpp"
#include "plugin/guard/dead_run.hpp"
#include "tests/support/fake_stack.hpp"
#include "tests/support/temp_dir.hpp"
#include "volumes/local_repository.hpp"
#include "volumes/run_journal.hpp"

namespace {

using namespace agentchat;
using agentchat_test::FakeEngine;

// The pid of a process that has ended: the killed run.
long deadPid() {
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  return child;
}

struct KilledRun {
  agentchat_test::TempDir dir;
  FakeEngine engine;
  agentchat_test::FakeStack chat{engine, "chat"};
  volumes::LocalRepository repository{dir.path() / "repository"};
  long pid = deadPid();
  std::string who = "pid " + std::to_string(pid) + " on host " + base::hostName();

  KilledRun() {
    chat.service("backend", compose::Role::App, "chat/backend:1", {{"app_data", "/app/data"}});
    chat.service("worker", compose::Role::App, "chat/backend:1", {}, {"backend"});
  }

  // What the run wrote before it was killed: its journal (as StackGuard writes it) and the lock
  // file naming it (the lock itself went with the process).
  std::unique_ptr<volumes::RunJournal> journal(const std::string& command, const std::string& note = {}) {
    auto path = repository.journalPath("chat");
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path.parent_path() / ".lock") << who << "\n";
    return std::make_unique<volumes::RunJournal>(
        path, volumes::RunRecord{pid, base::hostName(), command, "2026-01-01T00:00:00Z", note, {}});
  }

  // A helper container the killed run created.
  std::string helper() {
    dockerapi::ContainerSpec spec;
    spec.name = "agentchat-helper-0123456789ab";
    spec.image = "chat/backend:1";
    spec.labels = {{dockerapi::kHelperLabel, "true"}, {base::kOwnerLabel, who}};
    return engine.createContainer(spec);
  }

  volumes::HeldContainer paused(const std::string& name) {
    engine.pauseContainer(name);
    return {engine.container(name).id, name, false, {}, 0, 0};
  }
  volumes::HeldContainer stopped(const std::string& name) {
    volumes::HeldContainer held{engine.container(name).id,
                                name,
                                true,
                                engine.inspectContainer(name).startedAt,
                                static_cast<long long>(std::time(nullptr)) - 100,
                                30};
    engine.stopContainer(name, 30);
    return held;
  }
  bool journalLeft() { return volumes::readJournal(repository.journalPath("chat")).has_value(); }
};

const std::map<std::string, std::string> kAllRunning{{"chat-backend-1", "running"},
                                                     {"chat-worker-1", "running"}};

TEST(DeadRunFlow, AKilledOnlineBackupIsUndone) {
  KilledRun run;
  auto journal = run.journal("backup");
  journal->hold(run.paused("chat-worker-1"));
  journal->hold(run.paused("chat-backend-1"));
  run.helper();
  std::filesystem::create_directories(run.repository.root() / "chat" / ".partial-20260101T000000Z");
  journal.reset();  // killed: the journal stays as written

  auto dead = undoDeadRun(run.engine, run.repository, "chat");
  EXPECT_EQ(run.chat.states(), kAllRunning);
  EXPECT_FALSE(run.engine.hasContainer("agentchat-helper-0123456789ab"));
  EXPECT_FALSE(run.journalLeft());
  EXPECT_TRUE(run.repository.list("chat").empty());
  EXPECT_FALSE(std::filesystem::exists(run.repository.root() / "chat" / ".partial-20260101T000000Z"));
  EXPECT_FALSE(dead.dataAtRisk);
  std::string said;
  for (const auto& line : dead.done) said += line + "\n";
  EXPECT_NE(said.find("ended without finishing"), std::string::npos) << said;
  EXPECT_NE(said.find("unpaused chat-backend-1"), std::string::npos) << said;
  EXPECT_NE(said.find("removed the helper container agentchat-helper-0123456789ab"), std::string::npos)
      << said;
  EXPECT_NE(said.find("removed the unfinished backup 20260101T000000Z"), std::string::npos) << said;
  // Held last, resumed first.
  auto backend = run.engine.find("unpauseContainer chat-backend-1");
  auto worker = run.engine.find("unpauseContainer chat-worker-1");
  ASSERT_TRUE(backend && worker);
  EXPECT_LT(*backend, *worker);
}

TEST(DeadRunFlow, AKilledStopModeRunHasItsContainersStartedAndOneNeverStoppedLeftRunning) {
  KilledRun run;
  auto journal = run.journal("backup");
  journal->hold(run.stopped("chat-worker-1"));
  // Recorded, but the run died before the engine was asked: still running, long past its timeout.
  journal->hold({run.engine.container("chat-backend-1").id, "chat-backend-1", true,
                 run.engine.inspectContainer("chat-backend-1").startedAt,
                 static_cast<long long>(std::time(nullptr)) - 100, 30});
  journal.reset();
  run.engine.clearCalls();

  auto dead = undoDeadRun(run.engine, run.repository, "chat");
  EXPECT_EQ(run.chat.states(), kAllRunning);
  EXPECT_FALSE(run.journalLeft());
  EXPECT_TRUE(run.engine.find("startContainer chat-worker-1"));
  EXPECT_FALSE(run.engine.find("startContainer chat-backend-1"));
  std::string said;
  for (const auto& line : dead.done) said += line + "\n";
  EXPECT_NE(said.find("started chat-worker-1, left stopped"), std::string::npos) << said;
  EXPECT_NE(said.find("chat-backend-1 is running already"), std::string::npos) << said;
}

TEST(DeadRunFlow, AKilledRestoreSaysTheDataAreAtRisk) {
  KilledRun run;
  auto journal = run.journal("restore", "backup 20260101T000000Z; safety snapshot 20260102T000000Z");
  journal->hold(run.stopped("chat-backend-1"));
  journal.reset();

  auto dead = undoDeadRun(run.engine, run.repository, "chat");
  EXPECT_TRUE(dead.dataAtRisk);
  EXPECT_EQ(run.chat.states(), kAllRunning);
  std::string said;
  for (const auto& line : dead.done) said += line + "\n";
  EXPECT_NE(said.find("safety snapshot 20260102T000000Z"), std::string::npos) << said;
}

TEST(DeadRunFlow, AContainerThatCannotBeResumedKeepsTheJournalForTheNextTry) {
  KilledRun run;
  auto journal = run.journal("backup");
  journal->hold(run.paused("chat-backend-1"));
  journal.reset();
  run.engine.inject({std::nullopt, "unpauseContainer", "chat-backend-1", 500, {}, 1, false});

  EXPECT_THROW(undoDeadRun(run.engine, run.repository, "chat"), std::runtime_error);
  EXPECT_EQ(run.chat.states().at("chat-backend-1"), "paused");
  EXPECT_TRUE(run.journalLeft());

  undoDeadRun(run.engine, run.repository, "chat");  // the engine answers again
  EXPECT_EQ(run.chat.states(), kAllRunning);
  EXPECT_FALSE(run.journalLeft());
}

TEST(DeadRunFlow, WithoutADeadRunOnlyHelpersOfEndedProcessesAreRemoved) {
  KilledRun run;
  run.helper();
  // A live process's helper (this test's own) is not touched.
  dockerapi::ContainerSpec live;
  live.name = "agentchat-helper-live";
  live.image = "chat/backend:1";
  live.labels = {{dockerapi::kHelperLabel, "true"}, {base::kOwnerLabel, base::thisProcess()}};
  run.engine.createContainer(live);

  auto dead = undoDeadRun(run.engine, run.repository, "chat");
  EXPECT_FALSE(run.engine.hasContainer("agentchat-helper-0123456789ab"));
  EXPECT_TRUE(run.engine.hasContainer("agentchat-helper-live"));
  EXPECT_EQ(run.chat.states(), kAllRunning);
  EXPECT_EQ(dead.done.size(), 1u);
}

TEST(DeadRunFlow, AHelperTheEngineIsRemovingAlreadyOrHasRemovedIsNoError) {
  // A killed run's helper ends when its stdin closes, and the engine removes it (AutoRemove): the next
  // run may find it listed and then being removed, or gone.
  for (int status : {409, 404}) {
    KilledRun run;
    std::string id = run.helper();
    run.engine.inject({std::nullopt,
                       "removeContainer",
                       {},
                       status,
                       status == 409 ? "removal of container " + id + " is already in progress" : "",
                       1,
                       false});
    auto dead = undoDeadRun(run.engine, run.repository, "chat");
    ASSERT_EQ(dead.done.size(), 1u) << status;
    EXPECT_NE(dead.done[0].find("removed the helper container"), std::string::npos) << dead.done[0];
  }
  // Any other refusal still fails the step, saying what failed.
  KilledRun run;
  run.helper();
  run.engine.inject({std::nullopt, "removeContainer", {}, 409, "conflict: something else", 1, false});
  EXPECT_THROW(undoDeadRun(run.engine, run.repository, "chat"), dockerapi::EngineError);
}

}  // namespace
