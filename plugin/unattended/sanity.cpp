#include "plugin/unattended/sanity.hpp"

#include <algorithm>
#include <map>

#include "base/human_units.hpp"

namespace agentchat {

using nlohmann::json;

namespace {

constexpr std::uint64_t kSmallestJudged = 64 * 1024;  // below this, a few rows or files swing the ratio
constexpr std::uint64_t kEmptyArchive = 4 * 1024;     // a volume's tar with nothing (or almost) in it
constexpr std::uint64_t kFewestRowsJudged = 1000;

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  auto n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

bool sizeCompared(const volumes::PartRecord& part) {
  return part.kind != "logs";
}

std::uint64_t comparedTotal(const volumes::Manifest& m) {
  std::uint64_t total = 0;
  for (const auto& p : m.parts) {
    if (sizeCompared(p)) total += p.rawSize;
  }
  return total;
}

std::string percentOf(double value, double of) {
  return std::to_string(static_cast<long long>(value * 100 / of + 0.5)) + " %";
}

// table -> rows, per MySQL service, as the dump counted them.
std::map<std::string, std::uint64_t> tableRows(const volumes::Manifest& m) {
  std::map<std::string, std::uint64_t> rows;
  const json& mysql = m.details.value("mysql", json::object());
  for (const auto& [service, detail] : mysql.items()) {
    const json tables = detail.value("tables", json::object());
    for (const auto& [table, info] : tables.items())
      rows[service + ": " + table] = info.value("rows", std::uint64_t{0});
  }
  return rows;
}

// "redis db0" -> keys, per Redis service, as the snapshot's INFO keyspace counted them.
std::map<std::string, std::uint64_t> redisKeys(const volumes::Manifest& m) {
  std::map<std::string, std::uint64_t> keys;
  const json& redis = m.details.value("redis", json::object());
  for (const auto& [service, detail] : redis.items()) {
    const json counts = detail.value("keys", json::object());
    for (const auto& [db, count] : counts.items()) {
      if (count.is_number_unsigned()) keys[service + " " + db] = count.get<std::uint64_t>();
    }
  }
  return keys;
}

}  // namespace

json SanityResult::toJson() const {
  return {{"warnings", warnings}, {"compared", compared}};
}

SanityResult checkSanity(const volumes::Manifest& current, const std::vector<volumes::Manifest>& previous,
                         const compose::Sanity& limits) {
  SanityResult result;
  result.compared = previous.size();
  if (previous.empty()) return result;
  auto judge = [&](const std::string& what, double now, const std::vector<double>& before) {
    if (before.empty()) return;
    double usual = median(before);
    if (usual < static_cast<double>(kSmallestJudged)) return;
    std::string of = "the median " + base::humanBytes(static_cast<std::uint64_t>(usual)) + " of the last " +
                     std::to_string(before.size()) + (before.size() == 1 ? " backup" : " backups");
    if (now < usual * limits.smallerThan)
      result.warnings.push_back(what + " is " + base::humanBytes(static_cast<std::uint64_t>(now)) + ", " +
                                percentOf(now, usual) + " of " + of);
    else if (now > usual * limits.largerThan)
      result.warnings.push_back(what + " is " + base::humanBytes(static_cast<std::uint64_t>(now)) + ", " +
                                percentOf(now, usual) + " of " + of);
  };
  // The whole backup only against backups of the same parts (not a `--only` one, say).
  auto partNames = [](const volumes::Manifest& m) {
    std::vector<std::string> names;
    for (const auto& p : m.parts) {
      if (sizeCompared(p)) names.push_back(p.name);
    }
    std::sort(names.begin(), names.end());
    return names;
  };
  std::vector<double> totals;
  for (const auto& m : previous) {
    if (partNames(m) == partNames(current)) totals.push_back(static_cast<double>(comparedTotal(m)));
  }
  judge("the backup", static_cast<double>(comparedTotal(current)), totals);
  for (const auto& part : current.parts) {
    if (!sizeCompared(part)) continue;
    std::vector<double> sizes;
    for (const auto& m : previous) {
      if (const auto* p = m.part(part.name)) sizes.push_back(static_cast<double>(p->rawSize));
    }
    judge("part " + part.name, static_cast<double>(part.rawSize), sizes);
    // An emptied volume is worth saying even when the volume was small.
    if (part.kind == "volume" && part.rawSize <= kEmptyArchive && !sizes.empty() &&
        sizes.front() > static_cast<double>(kEmptyArchive) * 4)
      result.warnings.push_back("volume " + part.source +
                                " is empty (or nearly) now; the previous backup took " +
                                base::humanBytes(static_cast<std::uint64_t>(sizes.front())) + " of it");
  }
  // Rows: against the previous backup, table by table.
  auto before = tableRows(previous.front());
  for (const auto& [table, rows] : tableRows(current)) {
    auto it = before.find(table);
    if (it == before.end() || it->second < kFewestRowsJudged) continue;
    if (static_cast<double>(rows) < static_cast<double>(it->second) * limits.smallerThan)
      result.warnings.push_back("table " + table + " has " + std::to_string(rows) + " rows, " +
                                percentOf(static_cast<double>(rows), static_cast<double>(it->second)) +
                                " of the " + std::to_string(it->second) + " in the previous backup");
  }
  auto keysBefore = redisKeys(previous.front());
  for (const auto& [db, keys] : redisKeys(current)) {
    auto it = keysBefore.find(db);
    if (it == keysBefore.end() || it->second < kFewestRowsJudged) continue;
    if (static_cast<double>(keys) < static_cast<double>(it->second) * limits.smallerThan)
      result.warnings.push_back("redis " + db + " has " + std::to_string(keys) + " keys, " +
                                percentOf(static_cast<double>(keys), static_cast<double>(it->second)) +
                                " of the " + std::to_string(it->second) + " in the previous backup");
  }
  return result;
}

std::vector<volumes::Manifest> recentBackups(const volumes::Repository& repository,
                                             const std::string& project, std::size_t count) {
  std::vector<volumes::Manifest> out;
  for (const auto& id : repository.list(project)) {
    if (out.size() >= count) break;
    try {
      auto m = repository.read(project, id);
      if (m.label != "pre-restore") out.push_back(std::move(m));
    } catch (const std::exception&) {
      continue;
    }
  }
  return out;
}

std::vector<std::string> sanityWarnings(const volumes::Manifest& manifest) {
  std::vector<std::string> out;
  const json sanity = manifest.details.value("sanity", json::object());
  for (const auto& w : sanity.value("warnings", json::array())) {
    if (w.is_string()) out.push_back(w.get<std::string>());
  }
  return out;
}

std::string notLikeTheOnesBefore(const std::vector<std::string>& warnings) {
  std::string text = " is complete, but it does not look like the ones before:";
  for (const auto& w : warnings) text += "\n- " + w;
  return text;
}

bool passedSanity(const volumes::Manifest& manifest) {
  if (manifest.label == "pre-restore") return false;  // a restore's safety snapshot was never checked
  return sanityWarnings(manifest).empty();
}

}  // namespace agentchat
