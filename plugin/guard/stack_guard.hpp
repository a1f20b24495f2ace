#pragma once
// The stack is left as found: every container a run pauses or stops is resumed before the plugin
// exits — when the run ends, when it fails (destructor), and on SIGINT/SIGTERM (a dedicated thread
// waits for the signal, resumes everything held by live guards, then exits with 130).
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "dockerapi/engine.hpp"
#include "volumes/run_journal.hpp"

namespace agentchat {

// How long writers may stay paused while the databases take their snapshots.
inline constexpr auto kPauseLimit = std::chrono::seconds(30);

class StackGuard {
 public:
  // With a `journal`, every container is written to it before it is paused or stopped, and taken off
  // once resumed, so a run killed with -9 can be undone by the next one (see dead_run.hpp).
  explicit StackGuard(dockerapi::Engine& engine, volumes::RunJournal* journal = nullptr);
  ~StackGuard();
  StackGuard(const StackGuard&) = delete;
  StackGuard& operator=(const StackGuard&) = delete;

  // Recorded before the engine is asked, so an interrupt in between still resumes it.
  void pause(const std::string& id, const std::string& name);
  void stop(const std::string& id, const std::string& name, int timeoutSeconds);
  // Unpauses what was paused and starts what was stopped (in reverse order); returns the names of
  // containers it could not resume (and logs how to resume them by hand).
  std::vector<std::string> resumeAll();
  // The same for the given containers only (a short pause of one volume's users while other parts
  // of the run go on); the rest stay held.
  std::vector<std::string> resume(const std::vector<std::string>& ids);
  // Cleanup run (after resuming) if the process is interrupted, when no destructor will run: the
  // staging directory of a backup, helper containers. Errors in it are ignored.
  void onInterrupt(std::function<void()> cleanup);

  // Call once at start-up, before any other thread exists: SIGINT/SIGTERM then reach only the
  // watcher thread, which resumes every live guard's containers and exits the process with 130.
  static void installSignalHandling();

 private:
  struct Held {
    std::string id, name;
    bool stopped;  // else paused
  };
  void record(const Held& held, volumes::HeldContainer journalEntry);
  std::vector<std::string> resumeHeld(const std::vector<Held>& held);
  dockerapi::Engine& engine_;
  volumes::RunJournal* journal_;
  std::mutex mutex_;
  std::vector<Held> held_;
  std::vector<std::function<void()>> cleanups_;
};

}  // namespace agentchat
