#include "e2e_support.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "dockerapi/context.hpp"
#include "dockerapi/exec.hpp"
#include "dockerapi/http_engine.hpp"
#include "volumes/local_repository.hpp"

extern char** environ;

namespace e2e {

namespace {
std::string setting(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}
}  // namespace

const std::map<std::string, std::string>& stackState() {
  static const std::map<std::string, std::string> state = [] {
    std::map<std::string, std::string> out;
    std::ifstream in(setting("AGENTCHAT_E2E_STATE", AGENTCHAT_E2E_STATE_DEFAULT));
    std::string line;
    while (std::getline(in, line)) {
      auto eq = line.find('=');
      if (eq == std::string::npos || line.starts_with("#")) continue;
      std::string value = line.substr(eq + 1);
      if (value.size() >= 2 && (value.front() == '\'' || value.front() == '"') &&
          value.back() == value.front()) {
        value = value.substr(1, value.size() - 2);
      }
      out[line.substr(0, eq)] = value;
    }
    return out;
  }();
  return state;
}

std::string stack(const std::string& key) {
  auto it = stackState().find(key);
  if (it == stackState().end()) {
    ADD_FAILURE() << "the e2e stack state has no " << key
                  << " (did tests/stack/up.sh run? AGENTCHAT_E2E_STATE="
                  << (std::getenv("AGENTCHAT_E2E_STATE") ? std::getenv("AGENTCHAT_E2E_STATE") : "unset")
                  << ")";
    return {};
  }
  return it->second;
}

dockerapi::Engine* engineOrNull(std::string& whyNot) {
  static std::unique_ptr<dockerapi::HttpEngine> engine;
  static std::string failure;
  static bool tried = false;
  if (!tried) {
    tried = true;
    try {
      auto resolved = dockerapi::resolveEndpoint({}, dockerapi::processEnviron());
      auto candidate = std::make_unique<dockerapi::HttpEngine>(resolved.endpoint);
      candidate->apiVersion();
      engine = std::move(candidate);
    } catch (const std::exception& error) {
      failure = error.what();
    }
  }
  whyNot = failure;
  return engine.get();
}

std::string pluginPath() {
  return setting("AGENTCHAT_PLUGIN", AGENTCHAT_PLUGIN_DEFAULT);
}

std::vector<std::string> composeCommand() {
  std::vector<std::string> out;
  std::istringstream words(setting("AGENTCHAT_TEST_COMPOSE", "docker-compose"));
  for (std::string w; words >> w;) out.push_back(w);
  return out;
}

std::vector<std::string> redisCli(const std::vector<std::string>& args) {
  std::vector<std::string> out{"sh", "-c", "exec $(command -v redis-cli || command -v valkey-cli) \"$@\"",
                               "cli"};
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

std::string sourceDir() {
  return setting("AGENTCHAT_SOURCE_DIR", AGENTCHAT_SOURCE_DIR_DEFAULT);
}

ProcessResult runProcess(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env) {
  int outPipe[2], errPipe[2];
  if (::pipe2(outPipe, O_CLOEXEC) != 0 || ::pipe2(errPipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);

  std::map<std::string, std::string> merged;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string text(*entry);
    auto eq = text.find('=');
    if (eq != std::string::npos) merged[text.substr(0, eq)] = text.substr(eq + 1);
  }
  for (const auto& [key, value] : env) merged[key] = value;
  std::vector<std::string> envStrings;
  for (const auto& [key, value] : merged) envStrings.push_back(key + "=" + value);
  std::vector<char*> envp, args;
  for (auto& s : envStrings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argvCopy = argv;
  for (auto& s : argvCopy) args.push_back(s.data());
  args.push_back(nullptr);

  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(outPipe[1]);
  ::close(errPipe[1]);
  ProcessResult result;
  if (rc != 0) {
    ::close(outPipe[0]);
    ::close(errPipe[0]);
    result.err = "cannot start " + argv[0];
    return result;
  }
  pollfd fds[2] = {{outPipe[0], POLLIN, 0}, {errPipe[0], POLLIN, 0}};
  std::string* targets[2] = {&result.out, &result.err};
  int open = 2;
  char buffer[65536];
  while (open > 0) {
    ::poll(fds, 2, -1);
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t got = ::read(fds[i].fd, buffer, sizeof(buffer));
      if (got <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      } else {
        targets[i]->append(buffer, static_cast<std::size_t>(got));
      }
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

void partAsZstFile(const std::string& repo, const std::string& project, const std::string& id,
                   const std::string& part, const std::string& to) {
  volumes::LocalRepository repository(repo);
  auto manifest = repository.read(project, id);
  for (const auto& record : manifest.parts) {
    if (record.name != part) continue;
    auto in = repository.openCompressed(project, id, record);
    std::ofstream out(to, std::ios::binary | std::ios::trunc);
    std::string buffer(1 << 16, '\0');
    while (std::size_t n = in->read(buffer.data(), buffer.size())) out.write(buffer.data(), n);
    ASSERT_TRUE(out.flush()) << to;
    return;
  }
  ADD_FAILURE() << "backup " << id << " has no part " << part;
}

std::string uniqueName(const std::string& prefix) {
  std::random_device device;
  std::string out = prefix + "-";
  for (int i = 0; i < 10; ++i) out.push_back("0123456789abcdef"[device() % 16]);
  return out;
}

ScratchContainer::ScratchContainer(dockerapi::Engine& engine, std::vector<dockerapi::MountSpec> mounts,
                                   const std::string& image)
    : engine_(engine) {
  dockerapi::ContainerSpec spec;
  spec.name = uniqueName("agentchat-e2e-scratch");
  spec.image = image;
  spec.entrypoint = std::vector<std::string>{"sleep"};
  spec.cmd = {"infinity"};
  spec.mounts = std::move(mounts);
  spec.labels = {{"io.agentchat.e2e", "scratch"}};
  id_ = engine.createContainer(spec);
  engine.startContainer(id_);
}

ScratchContainer::~ScratchContainer() {
  try {
    engine_.removeContainer(id_, true);
  } catch (...) {
  }
}

std::string ScratchContainer::sh(const std::string& script) {
  auto result = dockerapi::execCapture(engine_, id_, {{"sh", "-c", script}, {}, {}, {}});
  EXPECT_EQ(result.exitCode, 0) << "`" << script << "` failed: " << result.err;
  return result.out;
}

ScratchVolume::ScratchVolume(dockerapi::Engine& engine)
    : engine_(engine), name_(uniqueName("agentchat-e2e-vol")) {
  engine.createVolume({name_, "local", {{"io.agentchat.e2e", "scratch"}}, {}});
}

ScratchVolume::~ScratchVolume() {
  try {
    engine_.removeVolume(name_, true);
  } catch (...) {
  }
}

std::vector<std::string> composeFiles() {
  std::vector<std::string> files;
  std::string list = stack("COMPOSE_FILES");
  for (std::size_t start = 0; start <= list.size();) {
    auto colon = list.find(':', start);
    if (colon == std::string::npos) colon = list.size();
    if (colon > start) files.push_back(list.substr(start, colon - start));
    start = colon + 1;
  }
  return files;
}

ProcessResult runPluginOnStack(const std::vector<std::string>& args) {
  std::vector<std::string> argv{pluginPath(), "-p", stack("PROJECT"), "--project-directory",
                                stack("PROJECT_DIR")};
  for (const auto& f : composeFiles()) argv.insert(argv.end(), {"-f", f});
  argv.insert(argv.end(), args.begin(), args.end());
  return runProcess(argv);
}

bool modernBed(std::string& host, std::string& compose, std::string& whyNot) {
  const char* h = std::getenv("AGENTCHAT_E2E_ENGINE26");
  const char* c = std::getenv("AGENTCHAT_E2E_COMPOSE_V2");
  if (h == nullptr || c == nullptr) {
    whyNot = "AGENTCHAT_E2E_ENGINE26 and AGENTCHAT_E2E_COMPOSE_V2 are not set (tests/run.sh sets them)";
    return false;
  }
  host = h;
  compose = c;
  return true;
}

}  // namespace e2e
