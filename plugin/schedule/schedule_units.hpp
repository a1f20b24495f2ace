#pragma once
// What `schedule install` writes, as text and nothing else: the systemd service and timer, the
// /etc/cron.d file, the marked block in a user's crontab, and the command line they all run.
// No I/O here, so every byte of it is unit-tested.
#include <optional>
#include <string>
#include <vector>

namespace agentchat {

struct TimeOfDay {
  int hour = 2;  // the nightly backup at 02:00 (README: `schedule`)
  int minute = 0;
  std::string text() const;  // "02:00"
};

// "HH:MM", 00:00..23:59, two digits each. Throws std::invalid_argument saying what is expected.
TimeOfDay parseTimeOfDay(const std::string& text);

// docker-agentchat-<project>: the unit, timer and cron.d file name (cron.d ignores names with dots,
// compose project names have none).
std::string scheduleName(const std::string& project);

// POSIX sh words: 'it'\''s' — what cron hands to sh -c.
std::string shellQuote(const std::string& word);
std::string shellCommand(const std::vector<std::string>& argv);

// ExecStart= words: systemd's own quoting, with % and $ doubled so they stay literal.
std::string systemdCommand(const std::vector<std::string>& argv);

std::string serviceUnit(const std::string& project, const std::vector<std::string>& argv);
// OnCalendar=*-*-* HH:MM:00 and Persistent=true: a run missed while the host was off happens at boot.
std::string timerUnit(const std::string& project, const TimeOfDay& at);

// One cron line: "MM HH * * * [user ]command", % escaped (cron turns a bare % into a newline).
std::string cronLine(const TimeOfDay& at, const std::vector<std::string>& argv, const std::string& user = {});
// The whole /etc/cron.d file (it names the user the job runs as).
std::string cronFile(const std::string& project, const TimeOfDay& at, const std::vector<std::string>& argv,
                     const std::string& user);

// A user's crontab with this project's marked block replaced by `line` (added when missing, removed
// when `line` is empty); everything else kept as it was.
std::string crontabWithBlock(const std::string& crontab, const std::string& project, const std::string& line);
// The project's line in a crontab's marked block, if any.
std::optional<std::string> crontabBlockLine(const std::string& crontab, const std::string& project);

// What a written entry says, read back for `show`: the time and the command (as sh would run it).
struct ScheduleEntry {
  TimeOfDay at;
  std::string command;
};
// A cron line (with or without the user field: `withUser`), % unescaped.
std::optional<ScheduleEntry> parseCronLine(const std::string& line, bool withUser);
// The timer's OnCalendar= and the service's ExecStart= (as written).
std::optional<ScheduleEntry> parseSystemdUnits(const std::string& timer, const std::string& service);

}  // namespace agentchat
