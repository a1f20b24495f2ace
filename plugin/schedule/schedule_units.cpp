#include "plugin/schedule/schedule_units.hpp"

#include <cctype>
#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace agentchat {

namespace {

std::string twoDigits(int n) {
  char text[8];
  std::snprintf(text, sizeof text, "%02d", n);
  return text;
}

std::string beginMarker(const std::string& project) {
  return "# BEGIN " + scheduleName(project);
}
std::string endMarker(const std::string& project) {
  return "# END " + scheduleName(project);
}

const char* const kHeader =
    "# Written by `docker agentchat schedule install`; `docker agentchat schedule remove` removes it.\n";

}  // namespace

std::string TimeOfDay::text() const {
  return twoDigits(hour) + ":" + twoDigits(minute);
}

TimeOfDay parseTimeOfDay(const std::string& text) {
  auto digit = [&](std::size_t i) { return std::isdigit(static_cast<unsigned char>(text[i])) != 0; };
  bool shape = text.size() == 5 && text[2] == ':' && digit(0) && digit(1) && digit(3) && digit(4);
  TimeOfDay at;
  if (shape) at = {std::stoi(text.substr(0, 2)), std::stoi(text.substr(3))};
  if (!shape || at.hour > 23 || at.minute > 59) {
    throw std::invalid_argument("--at '" + text +
                                "': expected a time of day as HH:MM, 00:00 to 23:59 (e.g. 02:00)");
  }
  return at;
}

std::string scheduleName(const std::string& project) {
  return "docker-agentchat-" + project;
}

std::string shellQuote(const std::string& word) {
  bool plain = !word.empty();
  for (char c : word) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && std::string("/._-=:,@+").find(c) == std::string::npos)
      plain = false;
  }
  if (plain) return word;
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string shellCommand(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& word : argv) out += (out.empty() ? "" : " ") + shellQuote(word);
  return out;
}

std::string systemdCommand(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& word : argv) {
    std::string quoted = "\"";
    for (char c : word) {
      if (c == '"' || c == '\\') quoted += '\\';
      if (c == '%' || c == '$') quoted += c;  // %% and $$: literal, not specifiers or variables
      quoted += c;
    }
    out += (out.empty() ? "" : " ") + quoted + "\"";
  }
  return out;
}

std::string serviceUnit(const std::string& project, const std::vector<std::string>& argv) {
  return std::string(kHeader) + "[Unit]\nDescription=docker agentchat: nightly backup of project " + project +
         "\nWants=network-online.target\nAfter=network-online.target docker.service\n\n"
         "[Service]\nType=oneshot\nExecStart=" +
         systemdCommand(argv) + "\n";
}

std::string timerUnit(const std::string& project, const TimeOfDay& at) {
  return std::string(kHeader) + "[Unit]\nDescription=docker agentchat: nightly backup of project " + project +
         "\n\n[Timer]\nOnCalendar=*-*-* " + at.text() +
         ":00\nPersistent=true\nUnit=" + scheduleName(project) +
         ".service\n\n[Install]\nWantedBy=timers.target\n";
}

std::string cronLine(const TimeOfDay& at, const std::vector<std::string>& argv, const std::string& user) {
  std::string command;
  for (char c : shellCommand(argv)) command += c == '%' ? std::string("\\%") : std::string(1, c);
  return std::to_string(at.minute) + " " + std::to_string(at.hour) + " * * * " +
         (user.empty() ? "" : user + " ") + command;
}

std::string cronFile(const std::string& project, const TimeOfDay& at, const std::vector<std::string>& argv,
                     const std::string& user) {
  return std::string(kHeader) + "# Nightly backup of project " + project + ".\n" + cronLine(at, argv, user) +
         "\n";
}

std::string crontabWithBlock(const std::string& crontab, const std::string& project,
                             const std::string& line) {
  std::istringstream in(crontab);
  std::string out;
  bool inside = false;
  for (std::string l; std::getline(in, l);) {
    if (l == beginMarker(project)) inside = true;
    if (!inside) out += l + "\n";
    if (l == endMarker(project)) inside = false;
  }
  if (!line.empty()) out += beginMarker(project) + "\n" + line + "\n" + endMarker(project) + "\n";
  return out;
}

std::optional<std::string> crontabBlockLine(const std::string& crontab, const std::string& project) {
  std::istringstream in(crontab);
  bool inside = false;
  for (std::string l; std::getline(in, l);) {
    if (l == beginMarker(project)) {
      inside = true;
    } else if (l == endMarker(project)) {
      inside = false;
    } else if (inside && !l.empty() && l[0] != '#') {
      return l;
    }
  }
  return std::nullopt;
}

std::optional<ScheduleEntry> parseCronLine(const std::string& line, bool withUser) {
  std::istringstream in(line);
  std::string minute, hour, field;
  if (!(in >> minute >> hour)) return std::nullopt;
  for (int i = 0; i < (withUser ? 4 : 3); ++i) {
    if (!(in >> field)) return std::nullopt;
  }
  std::string rest;
  std::getline(in >> std::ws, rest);
  ScheduleEntry entry;
  try {
    entry.at = {std::stoi(hour), std::stoi(minute)};
  } catch (const std::exception&) {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '\\' && i + 1 < rest.size() && rest[i + 1] == '%') continue;
    entry.command += rest[i];
  }
  return entry;
}

std::optional<ScheduleEntry> parseSystemdUnits(const std::string& timer, const std::string& service) {
  auto value = [](const std::string& text, const std::string& key) -> std::optional<std::string> {
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) {
      if (l.rfind(key + "=", 0) == 0) return l.substr(key.size() + 1);
    }
    return std::nullopt;
  };
  auto calendar = value(timer, "OnCalendar");
  auto exec = value(service, "ExecStart");
  if (!calendar || !exec || calendar->size() < 14) return std::nullopt;
  try {
    return ScheduleEntry{parseTimeOfDay(calendar->substr(6, 5)), *exec};
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
}

}  // namespace agentchat
