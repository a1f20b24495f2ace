#include "plugin/guard/stack_guard.hpp"

#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <optional>
#include <stdexcept>
#include <thread>

#include "dockerapi/errors.hpp"
#include "plugin/cli/exit_codes.hpp"

namespace agentchat {

namespace {

std::mutex registryMutex;
std::atomic<bool> interrupted{false};

[[noreturn]] void refuse(const std::string& name) {
  throw std::runtime_error("interrupted: not touching " + name);
}
std::vector<StackGuard*>& registry() {
  static std::vector<StackGuard*> guards;
  return guards;
}

}  // namespace

StackGuard::StackGuard(dockerapi::Engine& engine, volumes::RunJournal* journal)
    : engine_(engine), journal_(journal) {
  std::lock_guard lock(registryMutex);
  registry().push_back(this);
}

StackGuard::~StackGuard() {
  resumeAll();
  std::lock_guard lock(registryMutex);
  auto& guards = registry();
  guards.erase(std::remove(guards.begin(), guards.end(), this), guards.end());
}

// The engine call happens under the lock: an interrupt waits for it, then undoes it; and after an
// interrupt nothing new is paused or stopped.
void StackGuard::pause(const std::string& id, const std::string& name) {
  std::lock_guard lock(mutex_);
  if (interrupted) refuse(name);
  record({id, name, false}, {id, name, false, {}, 0, 0});
  // The cgroup freezer gives up on a task stuck in the kernel (an fsync under heavy I/O): runc says
  // "unable to freeze", thaws the container and the engine answers 500. Moments later it succeeds.
  for (int attempt = 1;; ++attempt) {
    try {
      engine_.pauseContainer(id);
      return;
    } catch (const dockerapi::EngineError& e) {
      if (attempt == 3 || e.httpStatus() != 500 ||
          e.engineMessage().find("unable to freeze") == std::string::npos)
        throw;
      spdlog::warn("{}: the engine could not freeze it ({}); trying again", name, e.engineMessage());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250 * attempt));
  }
}

void StackGuard::stop(const std::string& id, const std::string& name, int timeoutSeconds) {
  std::lock_guard lock(mutex_);
  if (interrupted) refuse(name);
  volumes::HeldContainer entry{id, name, true, {}, 0, 0};
  if (journal_ != nullptr) {
    // What a next run needs to tell "this stop may still be under way" from "started again since".
    entry.startedAt = engine_.inspectContainer(id).startedAt;
    entry.heldAt = static_cast<long long>(std::time(nullptr));
    entry.stopTimeout = timeoutSeconds;
  }
  record({id, name, true}, std::move(entry));
  engine_.stopContainer(id, timeoutSeconds);
}

void StackGuard::record(const Held& held, volumes::HeldContainer journalEntry) {
  // The journal first: if writing it fails, nothing was paused that the next run would not know of.
  if (journal_ != nullptr) journal_->hold(journalEntry);
  held_.push_back(held);
}

std::vector<std::string> StackGuard::resumeAll() {
  std::vector<Held> held;
  {
    std::lock_guard lock(mutex_);
    held.swap(held_);
  }
  return resumeHeld(held);
}

std::vector<std::string> StackGuard::resume(const std::vector<std::string>& ids) {
  std::vector<Held> held;
  {
    std::lock_guard lock(mutex_);
    auto chosen = [&](const Held& h) { return std::find(ids.begin(), ids.end(), h.id) != ids.end(); };
    std::copy_if(held_.begin(), held_.end(), std::back_inserter(held), chosen);
    held_.erase(std::remove_if(held_.begin(), held_.end(), chosen), held_.end());
  }
  return resumeHeld(held);
}

std::vector<std::string> StackGuard::resumeHeld(const std::vector<Held>& held) {
  std::vector<std::string> failed;
  for (auto it = held.rbegin(); it != held.rend(); ++it) {
    try {
      try {
        if (it->stopped) {
          engine_.startContainer(it->id);
        } else {
          engine_.unpauseContainer(it->id);
        }
      } catch (const dockerapi::EngineError&) {
        if (it->stopped) throw;
        // "is not paused" (HTTP 500 on real engines, not a 409: the engine contract shows it): the
        // pause never happened (interrupted before it), or the container stopped meanwhile (an
        // engine restart). Its state decides: still paused is a real failure; else it was running
        // when found, so it runs again.
        std::optional<dockerapi::ContainerInfo> now;
        try {
          now = engine_.inspectContainer(it->id);
        } catch (const std::exception&) {
        }
        if (!now || now->paused) throw;
        if (!now->running) engine_.startContainer(it->id);
      }
      // Still in the journal when it could not be resumed: the next run or `status` tries again.
      // Resuming twice is harmless, so a journal that cannot be rewritten (disk full) is only logged.
      if (journal_ != nullptr) {
        try {
          journal_->release(it->id);
        } catch (const std::exception& e) {
          spdlog::warn("{}", e.what());
        }
      }
    } catch (const dockerapi::EngineError& e) {
      failed.push_back(it->name);
      spdlog::error("could not {} {}: {} — run `docker {} {}`", it->stopped ? "start" : "unpause", it->name,
                    e.what(), it->stopped ? "start" : "unpause", it->name);
    }
  }
  return failed;
}

void StackGuard::onInterrupt(std::function<void()> cleanup) {
  std::lock_guard lock(mutex_);
  cleanups_.push_back(std::move(cleanup));
}

void StackGuard::installSignalHandling() {
  static std::once_flag once;
  std::call_once(once, [] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);  // inherited by every thread created from now on
    std::thread([set] {
      int signal = 0;
      sigwait(&set, &signal);
      std::fprintf(stderr, "docker agentchat: interrupted (%s); resuming what this run paused or stopped\n",
                   signal == SIGINT ? "SIGINT" : "SIGTERM");
      interrupted = true;
      // Held while resuming, so no guard can finish its destructor (and be freed) meanwhile.
      std::lock_guard lock(registryMutex);
      for (auto* guard : registry()) {
        guard->resumeAll();
        std::vector<std::function<void()>> cleanups;
        {
          std::lock_guard held(guard->mutex_);
          cleanups = guard->cleanups_;
        }
        for (const auto& cleanup : cleanups) {
          try {
            cleanup();
          } catch (...) {
          }
        }
      }
      std::_Exit(exit_code::kInterrupted);
    }).detach();
  });
}

}  // namespace agentchat
