#include "volumes/part_kind.hpp"

#include <array>
#include <utility>

namespace volumes {

namespace {

constexpr std::array<std::pair<PartKind, const char*>, 10> kNames{
    {{PartKind::MysqlDump, "mysql-dump"},
     {PartKind::RedisRdb, "redis-rdb"},
     {PartKind::RedisAof, "redis-aof"},
     {PartKind::Volume, "volume"},
     {PartKind::Config, "config"},
     {PartKind::Logs, "logs"},
     {PartKind::Sqlite, "sqlite"},
     {PartKind::PostgresDump, "postgres-dump"},
     {PartKind::PostgresGlobals, "postgres-globals"},
     {PartKind::Objects, "objects"}}};

}  // namespace

const char* partKindName(PartKind kind) {
  for (const auto& [k, name] : kNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

std::optional<PartKind> parsePartKind(const std::string& text) {
  for (const auto& [kind, name] : kNames) {
    if (text == name) return kind;
  }
  return std::nullopt;
}

}  // namespace volumes
