#include "plugin/maintain/maintain_keys.hpp"

#include <sstream>

namespace agentchat {

const char* const kTtlPageScript = R"lua(
redis.call('SELECT', ARGV[3])
local page = redis.call('SCAN', ARGV[1], 'COUNT', ARGV[2])
local ttl, wanted = tonumber(ARGV[4]), tonumber(ARGV[5])
local without, expired, samples = 0, 0, {}
for _, key in ipairs(page[2]) do
  if redis.call('TTL', key) == -1 then
    without = without + 1
    if #samples < wanted then
      samples[#samples + 1] = string.gsub(key, '[%c\\\128-\255]', function(c)
        return string.format('\\x%02x', string.byte(c)) end)
    end
    if ttl > 0 then
      redis.call('EXPIRE', key, ttl)
      expired = expired + 1
    end
  end
end
local reply = {page[1], #page[2], without, expired}
for _, s in ipairs(samples) do reply[#reply + 1] = s end
return reply
)lua";

std::map<int, std::uint64_t> keyspaceDatabases(const std::map<std::string, std::string>& info) {
  std::map<int, std::uint64_t> dbs;
  for (const auto& [name, value] : info) {
    if (!name.starts_with("db") || name.size() < 3) continue;
    auto keys = value.find("keys=");
    if (keys == std::string::npos) continue;
    try {
      dbs[std::stoi(name.substr(2))] = std::stoull(value.substr(keys + 5));
    } catch (const std::exception&) {
      continue;  // not a keyspace line
    }
  }
  return dbs;
}

TtlPage parseTtlPage(const std::string& reply) {
  std::istringstream lines(reply);
  std::vector<std::string> fields;
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    fields.push_back(line);
  }
  if (fields.size() < 4) throw RedisError("unexpected reply to the TTL scan: " + reply.substr(0, 200));
  TtlPage page;
  page.cursor = fields[0];
  try {
    page.keys = std::stoull(fields[1]);
    page.withoutTtl = std::stoull(fields[2]);
    page.expired = std::stoull(fields[3]);
  } catch (const std::exception&) {
    throw RedisError("unexpected reply to the TTL scan: " + reply.substr(0, 200));
  }
  page.samples.assign(fields.begin() + 4, fields.end());
  return page;
}

std::vector<KeyTtlReport> reportKeysWithoutTtl(RedisClient& client, std::optional<std::int64_t> defaultTtl,
                                               std::size_t samples) {
  std::vector<KeyTtlReport> reports;
  for (const auto& [db, keys] : keyspaceDatabases(client.info("keyspace"))) {
    if (keys == 0) continue;
    KeyTtlReport report;
    report.db = db;
    std::string cursor = "0";
    do {
      std::size_t wanted = samples > report.samples.size() ? samples - report.samples.size() : 0;
      auto page =
          parseTtlPage(client.command({"EVAL", kTtlPageScript, "0", cursor, "1000", std::to_string(db),
                                       std::to_string(defaultTtl.value_or(0)), std::to_string(wanted)}));
      cursor = page.cursor;
      report.keys += page.keys;
      report.withoutTtl += page.withoutTtl;
      report.expired += page.expired;
      report.samples.insert(report.samples.end(), page.samples.begin(), page.samples.end());
    } while (cursor != "0");
    reports.push_back(std::move(report));
  }
  return reports;
}

}  // namespace agentchat
