#pragma once
// Where the nightly run is installed, and the installing: a systemd service + timer when systemd
// runs this host, else cron (a file in /etc/cron.d as root, a marked block in the user's crontab
// otherwise). The environment can point all of it elsewhere (the tests do):
//   AGENTCHAT_SCHEDULER    systemd | cron: skip the detection (/run/systemd/system exists: systemd)
//   AGENTCHAT_SYSTEMD_DIR  unit directory (default /etc/systemd/system as root, else
//                          ~/.config/systemd/user, used with `systemctl --user`)
//   AGENTCHAT_SYSTEMCTL    the systemctl program; "none" skips daemon-reload/enable/disable
//   AGENTCHAT_CRON_DIR     the cron.d directory (default /etc/cron.d); set, it is used by non-root too
//   AGENTCHAT_CRONTAB      the crontab program for a user's crontab (default crontab)
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dockerapi/context.hpp"
#include "plugin/schedule/schedule_units.hpp"

namespace agentchat {

struct Scheduler {
  enum class Kind { Systemd, CronDir, Crontab };
  Kind kind = Kind::CronDir;
  std::filesystem::path dir;  // units, or cron.d
  bool userUnits = false;     // systemctl --user
  std::string systemctl;      // empty: not run
  std::string crontab;
  std::string user;  // the cron.d file's user field
};

Scheduler detectScheduler(const dockerapi::Environ& environ);

struct InstalledSchedule {
  std::string kind;                // "systemd timer", "cron.d file", "crontab block"
  std::vector<std::string> where;  // files (or "crontab of USER")
  ScheduleEntry entry;
};

// Writes (replacing an earlier install) and enables it; returns what was written. Throws
// std::runtime_error naming the file or the program that failed.
InstalledSchedule installSchedule(const Scheduler& scheduler, const std::string& project, const TimeOfDay& at,
                                  const std::vector<std::string>& argv);
// Removes what install wrote; returns what was removed (empty: nothing was installed).
std::vector<std::string> removeSchedule(const Scheduler& scheduler, const std::string& project);
std::optional<InstalledSchedule> findSchedule(const Scheduler& scheduler, const std::string& project);

}  // namespace agentchat
