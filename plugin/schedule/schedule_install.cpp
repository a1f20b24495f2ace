#include "plugin/schedule/schedule_install.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "plugin/schedule/schedule_process.hpp"
#include "plugin/schedule/schedule_record.hpp"

namespace agentchat {

namespace fs = std::filesystem;

namespace {

std::string env(const dockerapi::Environ& environ, const std::string& key) {
  auto it = environ.find(key);
  return it == environ.end() ? std::string() : it->second;
}

std::string userName() {
  const passwd* pw = ::getpwuid(::geteuid());
  return pw != nullptr ? pw->pw_name : std::to_string(::geteuid());
}

std::optional<std::string> readText(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// 0600: a --notify-url may carry a webhook token, and only root (or the user) runs these.
void writePrivate(const fs::path& path, const std::string& text) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  writePrivateFile(path, text);
}

void systemctl(const Scheduler& s, std::vector<std::string> args, bool mustWork) {
  if (s.systemctl.empty()) return;
  args.insert(args.begin(), s.systemctl);
  if (s.userUnits) args.insert(args.begin() + 1, "--user");
  auto result = runChild(args);
  if (result.exitCode != 0 && mustWork) {
    throw std::runtime_error(shellCommand(args) + " failed (exit " + std::to_string(result.exitCode) +
                             "): " + errorLine(result.errTail));
  }
}

std::string currentCrontab(const Scheduler& s) {
  auto result = runChild({s.crontab, "-l"});
  return result.exitCode == 0 ? result.out : std::string();  // "no crontab for USER": exit 1
}

void writeCrontab(const Scheduler& s, const std::string& text) {
  auto result = runChild({s.crontab, "-"}, text);
  if (result.exitCode != 0) {
    throw std::runtime_error(s.crontab + " - failed (exit " + std::to_string(result.exitCode) +
                             "): " + errorLine(result.errTail));
  }
}

fs::path unitPath(const Scheduler& s, const std::string& project, const char* suffix) {
  return s.dir / (scheduleName(project) + suffix);
}

}  // namespace

Scheduler detectScheduler(const dockerapi::Environ& environ) {
  Scheduler s;
  bool root = ::geteuid() == 0;
  std::string forced = env(environ, "AGENTCHAT_SCHEDULER");
  if (!forced.empty() && forced != "systemd" && forced != "cron") {
    throw std::invalid_argument("AGENTCHAT_SCHEDULER='" + forced + "': use systemd or cron");
  }
  std::error_code ec;
  bool systemd = forced.empty() ? fs::is_directory("/run/systemd/system", ec) : forced == "systemd";
  std::string home = env(environ, "HOME");
  s.user = userName();
  if (systemd) {
    s.kind = Scheduler::Kind::Systemd;
    s.userUnits = !root;
    std::string dir = env(environ, "AGENTCHAT_SYSTEMD_DIR");
    s.dir = !dir.empty() ? fs::path(dir)
            : root       ? fs::path("/etc/systemd/system")
                         : fs::path(home) / ".config/systemd/user";
    std::string program = env(environ, "AGENTCHAT_SYSTEMCTL");
    s.systemctl = program == "none" ? "" : program.empty() ? "systemctl" : program;
    return s;
  }
  std::string cronDir = env(environ, "AGENTCHAT_CRON_DIR");
  if (root || !cronDir.empty()) {
    s.kind = Scheduler::Kind::CronDir;
    s.dir = cronDir.empty() ? fs::path("/etc/cron.d") : fs::path(cronDir);
  } else {
    s.kind = Scheduler::Kind::Crontab;
    std::string program = env(environ, "AGENTCHAT_CRONTAB");
    s.crontab = program.empty() ? "crontab" : program;
  }
  return s;
}

InstalledSchedule installSchedule(const Scheduler& s, const std::string& project, const TimeOfDay& at,
                                  const std::vector<std::string>& argv) {
  switch (s.kind) {
    case Scheduler::Kind::Systemd: {
      auto service = unitPath(s, project, ".service"), timer = unitPath(s, project, ".timer");
      writePrivate(service, serviceUnit(project, argv));
      writePrivate(timer, timerUnit(project, at));
      systemctl(s, {"daemon-reload"}, true);
      systemctl(s, {"enable", "--now", timer.filename().string()}, true);
      return {"systemd timer", {service.string(), timer.string()}, {at, systemdCommand(argv)}};
    }
    case Scheduler::Kind::CronDir: {
      auto file = s.dir / scheduleName(project);
      writePrivate(file, cronFile(project, at, argv, s.user));
      return {"cron.d file", {file.string()}, {at, shellCommand(argv)}};
    }
    case Scheduler::Kind::Crontab:
      writeCrontab(s, crontabWithBlock(currentCrontab(s), project, cronLine(at, argv)));
      return {"crontab block", {"crontab of " + s.user}, {at, shellCommand(argv)}};
  }
  return {};
}

std::vector<std::string> removeSchedule(const Scheduler& s, const std::string& project) {
  std::vector<std::string> removed;
  std::error_code ec;
  switch (s.kind) {
    case Scheduler::Kind::Systemd: {
      auto service = unitPath(s, project, ".service"), timer = unitPath(s, project, ".timer");
      if (fs::exists(timer, ec)) systemctl(s, {"disable", "--now", timer.filename().string()}, false);
      for (const auto& path : {timer, service}) {
        if (fs::remove(path, ec)) removed.push_back(path.string());
      }
      if (!removed.empty()) systemctl(s, {"daemon-reload"}, false);
      break;
    }
    case Scheduler::Kind::CronDir: {
      auto file = s.dir / scheduleName(project);
      if (fs::remove(file, ec)) removed.push_back(file.string());
      break;
    }
    case Scheduler::Kind::Crontab: {
      std::string crontab = currentCrontab(s);
      if (crontabBlockLine(crontab, project)) {
        writeCrontab(s, crontabWithBlock(crontab, project, ""));
        removed.push_back("the block in the crontab of " + s.user);
      }
      break;
    }
  }
  return removed;
}

std::optional<InstalledSchedule> findSchedule(const Scheduler& s, const std::string& project) {
  switch (s.kind) {
    case Scheduler::Kind::Systemd: {
      auto service = unitPath(s, project, ".service"), timer = unitPath(s, project, ".timer");
      auto timerText = readText(timer), serviceText = readText(service);
      if (!timerText || !serviceText) return std::nullopt;
      auto entry = parseSystemdUnits(*timerText, *serviceText);
      if (!entry) return std::nullopt;
      return InstalledSchedule{"systemd timer", {service.string(), timer.string()}, *entry};
    }
    case Scheduler::Kind::CronDir: {
      auto file = s.dir / scheduleName(project);
      auto text = readText(file);
      if (!text) return std::nullopt;
      std::istringstream lines(*text);
      for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line[0] == '#') continue;
        if (auto entry = parseCronLine(line, true))
          return InstalledSchedule{"cron.d file", {file.string()}, *entry};
      }
      return std::nullopt;
    }
    case Scheduler::Kind::Crontab: {
      auto line = crontabBlockLine(currentCrontab(s), project);
      if (!line) return std::nullopt;
      auto entry = parseCronLine(*line, false);
      if (!entry) return std::nullopt;
      return InstalledSchedule{"crontab block", {"crontab of " + s.user}, *entry};
    }
  }
  return std::nullopt;
}

}  // namespace agentchat
