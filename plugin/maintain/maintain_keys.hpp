#pragma once
// Cache maintenance (README: `maintain`): Redis keys that never expire, counted per database with SCAN (one
// page of 1000 per call, so the server is never blocked for long), with a few sample names; and,
// only when asked, a default TTL given to exactly those keys.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "plugin/databases/redis_client.hpp"

namespace agentchat {

struct KeyTtlReport {
  int db = 0;
  std::uint64_t keys = 0;            // scanned
  std::uint64_t withoutTtl = 0;      // TTL -1
  std::uint64_t expired = 0;         // given the default TTL by this run
  std::vector<std::string> samples;  // names of keys without a TTL (non-printable bytes as \xHH)
};

// The Lua script run per SCAN page: ARGV cursor, count, db, ttl (0: report only), samples wanted.
// The TTL check and the EXPIRE are one atomic step, so a key that got a TTL meanwhile keeps it.
extern const char* const kTtlPageScript;

// "db0:keys=5,expires=2,avg_ttl=0" lines (INFO keyspace) -> db -> keys.
std::map<int, std::uint64_t> keyspaceDatabases(const std::map<std::string, std::string>& info);

// One page's reply as redis-cli prints it: cursor, scanned, without TTL, expired, samples...
struct TtlPage {
  std::string cursor;
  std::uint64_t keys = 0, withoutTtl = 0, expired = 0;
  std::vector<std::string> samples;
};
TtlPage parseTtlPage(const std::string& reply);

// Every database that holds keys; `defaultTtl` set: EXPIRE the keys without one. Throws RedisError.
std::vector<KeyTtlReport> reportKeysWithoutTtl(RedisClient& client, std::optional<std::int64_t> defaultTtl,
                                               std::size_t samples = 5);

}  // namespace agentchat
