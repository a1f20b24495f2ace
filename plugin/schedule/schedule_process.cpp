#include "plugin/schedule/schedule_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <sstream>

extern char** environ;

namespace agentchat {

namespace {
constexpr std::size_t kTailBytes = 16 * 1024;
}

ChildResult runChild(const std::vector<std::string>& argv, const std::string& input, bool forwardStderr) {
  ChildResult result;
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return result;
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) return result;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  std::vector<std::string> copy = argv;
  std::vector<char*> args;
  for (auto& a : copy) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  for (int fd : {in[0], out[1], err[1]}) ::close(fd);
  if (rc != 0) {
    for (int fd : {in[1], out[0], err[0]}) ::close(fd);
    result.exitCode = 127;
    result.errTail = "cannot run " + argv.front() + ": " + std::strerror(rc);
    return result;
  }
  // A child that exits before reading its stdin must not kill us with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  std::size_t written = 0;
  if (input.empty()) {
    ::close(in[1]);
    in[1] = -1;
  }
  pollfd fds[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {in[1], POLLOUT, 0}};
  int open = 2;
  char buffer[65536];
  while (open > 0 || fds[2].fd >= 0) {
    if (::poll(fds, 3, -1) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t got = ::read(fds[i].fd, buffer, sizeof buffer);
      if (got <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
        continue;
      }
      if (i == 0) {
        result.out.append(buffer, static_cast<std::size_t>(got));
        continue;
      }
      if (forwardStderr) (void)!::write(2, buffer, static_cast<std::size_t>(got));
      result.errTail.append(buffer, static_cast<std::size_t>(got));
      if (result.errTail.size() > 2 * kTailBytes) result.errTail.erase(0, result.errTail.size() - kTailBytes);
    }
    if (fds[2].fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t put = ::write(fds[2].fd, input.data() + written, input.size() - written);
      if (put > 0) written += static_cast<std::size_t>(put);
      if (put < 0 || written == input.size()) {
        ::close(fds[2].fd);
        fds[2].fd = -1;
      }
    }
  }
  if (result.errTail.size() > kTailBytes) result.errTail.erase(0, result.errTail.size() - kTailBytes);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::string errorLine(const std::string& stderrText) {
  std::istringstream lines(stderrText);
  std::string last, error;
  const std::string prefix = "docker agentchat: ";
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    last = line;
    if (line.rfind(prefix, 0) == 0) error = line.substr(prefix.size());
  }
  return error.empty() ? last : error;
}

}  // namespace agentchat
