#include "dockerapi/health_state.hpp"

#include <cctype>
#include <ctime>

#include "dockerapi/json_fields.hpp"
#include "dockerapi/types.hpp"

namespace dockerapi {

using nlohmann::json;

namespace {

// Durations are nanoseconds; 0 or absent means Docker's default.
double seconds(const json& check, const char* key, double fallback) {
  const json& nanos = json_fields::member(check, key);
  return nanos.is_number() && nanos.get<double>() > 0 ? nanos.get<double>() / 1e9 : fallback;
}

bool digits(const std::string& text, std::size_t at, std::size_t count, int& out) {
  if (at + count > text.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

std::optional<Healthcheck> parseHealthcheck(const json& config) {
  const json& check = json_fields::member(config, "Healthcheck");
  auto test = json_fields::stringList(json_fields::member(check, "Test"));
  if (test.empty() || test[0] == "NONE") return std::nullopt;
  Healthcheck out;
  out.intervalSeconds = seconds(check, "Interval", out.intervalSeconds);
  out.timeoutSeconds = seconds(check, "Timeout", out.timeoutSeconds);
  out.startPeriodSeconds = seconds(check, "StartPeriod", 0);
  if (const json& retries = json_fields::member(check, "Retries"); retries.is_number_integer() && retries > 0)
    out.retries = retries.get<int>();
  return out;
}

std::optional<HealthState> parseHealthState(const json& state) {
  const json& health = json_fields::member(state, "Health");
  if (!health.is_object()) return std::nullopt;
  HealthState out;
  out.status = json_fields::str(health, "Status");
  if (const json& streak = json_fields::member(health, "FailingStreak"); streak.is_number_integer())
    out.failingStreak = streak.get<int>();
  const json& log = json_fields::member(health, "Log");  // null before the first probe
  if (log.is_array()) {
    for (const json& entry : log) {
      if (!entry.is_object()) continue;
      HealthProbe probe;
      probe.startNanos = rfc3339Nanos(json_fields::str(entry, "Start"));
      if (const json& code = json_fields::member(entry, "ExitCode"); code.is_number_integer())
        probe.exitCode = code.get<int>();
      probe.output = json_fields::str(entry, "Output");
      out.log.push_back(std::move(probe));
    }
  }
  return out;
}

std::optional<std::int64_t> rfc3339Nanos(const std::string& text) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)
  int year, month, day, hour, minute, second;
  if (!digits(text, 0, 4, year) || text.size() < 19 || text[4] != '-' || !digits(text, 5, 2, month) ||
      text[7] != '-' || !digits(text, 8, 2, day) || (text[10] != 'T' && text[10] != 't') ||
      !digits(text, 11, 2, hour) || text[13] != ':' || !digits(text, 14, 2, minute) || text[16] != ':' ||
      !digits(text, 17, 2, second))
    return std::nullopt;
  if (year <= 1) return std::nullopt;  // Go's zero time: "0001-01-01T00:00:00Z", never started
  std::size_t at = 19;
  std::int64_t fraction = 0;
  if (at < text.size() && text[at] == '.') {
    std::int64_t scale = 100000000;
    ++at;
    std::size_t begin = at;
    for (; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])); ++at) {
      fraction += (text[at] - '0') * scale;
      scale /= 10;
    }
    if (at == begin) return std::nullopt;
  }
  std::int64_t offset = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    ++at;
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    int hours, minutes;
    if (!digits(text, at + 1, 2, hours) || at + 3 >= text.size() || text[at + 3] != ':' ||
        !digits(text, at + 4, 2, minutes))
      return std::nullopt;
    offset = (hours * 3600 + minutes * 60) * (text[at] == '+' ? 1 : -1);
    at += 6;
  } else {
    return std::nullopt;
  }
  if (at != text.size()) return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::int64_t epoch = ::timegm(&tm) - offset;
  return epoch * 1000000000 + fraction;
}

std::string currentHealth(const ContainerInfo& info) {
  if (!info.healthState) return "";
  const auto& state = *info.healthState;
  auto started = rfc3339Nanos(info.startedAt);
  if (state.log.empty()) return "starting";
  const auto& last = state.log.back();
  if (started && (!last.startNanos || *last.startNanos < *started)) return "starting";
  return state.status;
}

}  // namespace dockerapi
