#pragma once
// Runs the parts of a backup side by side, one thread each: the whole takes about as long as its
// slowest part. The first failure is kept and rethrown by wait(); the others see cancelled() and
// stop at their next chunk instead of finishing work that will be thrown away.
#include <atomic>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace agentchat {

class Cancelled : public std::exception {
 public:
  const char* what() const noexcept override { return "cancelled after another part failed"; }
};

class TaskGroup {
 public:
  TaskGroup() = default;
  ~TaskGroup() { join(); }
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  void run(std::function<void()> task) {
    threads_.emplace_back([this, task = std::move(task)] {
      try {
        task();
      } catch (const Cancelled&) {
      } catch (...) {
        std::lock_guard lock(mutex_);
        if (!error_) error_ = std::current_exception();
        cancelled_ = true;
      }
    });
  }
  bool cancelled() const { return cancelled_; }
  void cancel() { cancelled_ = true; }
  // Throws Cancelled when another task has failed; call it between chunks.
  void checkpoint() const {
    if (cancelled_) throw Cancelled();
  }
  // Waits for every task without rethrowing (cleanup after a failure elsewhere).
  void waitQuietly() { join(); }
  // Waits for every task; rethrows the first failure.
  void wait() {
    join();
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void join() {
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::exception_ptr error_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace agentchat
