#pragma once
// Runs the parts of a backup side by side: the whole takes about as long as its slowest part.
// At most `limit` bounded tasks run at once, so memory stays bounded however many volumes a stack
// has; unbounded ones (the database snapshots, which paused writers wait for) never queue. The first failure
// is kept and rethrown by wait(); the others see cancelled() and stop at their next chunk instead of
// finishing work that will be thrown away.
#include <atomic>
#include <exception>
#include <functional>
#include <mutex>
#include <semaphore>
#include <thread>
#include <vector>

namespace base {

class Cancelled : public std::exception {
 public:
  const char* what() const noexcept override { return "cancelled after another part failed"; }
};

class TaskGroup {
 public:
  explicit TaskGroup(std::ptrdiff_t limit = 4) : slots_(limit) {}
  ~TaskGroup() { join(); }
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  void run(std::function<void()> task, bool bounded = true) {
    threads_.emplace_back([this, bounded, task = std::move(task)] {
      if (bounded) slots_.acquire();
      struct Release {
        TaskGroup* group;
        bool bounded;
        ~Release() {
          if (bounded) group->slots_.release();
        }
      } release{this, bounded};
      try {
        checkpoint();  // a queued task whose group already failed does not start
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
  std::counting_semaphore<> slots_;
};

}  // namespace base
