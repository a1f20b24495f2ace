#include "plugin/unattended/metrics.hpp"

#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "plugin/repository/repository_location.hpp"
#include "plugin/schedule/schedule_record.hpp"
#include "plugin/unattended/backup_outcome.hpp"
#include "plugin/unattended/sanity.hpp"

namespace agentchat {

using nlohmann::json;

namespace {

struct Family {
  const char* name;
  const char* help;
};

// In the order they are written; a family's samples stay together, as the format requires.
constexpr Family kFamilies[] = {
    {"agentchat_backup_last_success_timestamp_seconds", "When the newest complete backup was taken."},
    {"agentchat_backup_last_run_timestamp_seconds", "When the last backup attempt ended."},
    {"agentchat_backup_last_exit_code", "Exit code of the last backup attempt (0 ok; see the README)."},
    {"agentchat_backup_last_duration_seconds", "How long the last backup attempt took."},
    {"agentchat_backup_stored_bytes", "Bytes the newest complete backup stores, per part kind."},
    {"agentchat_backup_read_bytes",
     "Bytes the newest complete backup read before compression, per part kind."},
    {"agentchat_backup_parts", "Parts in the newest complete backup."},
    {"agentchat_backup_pause_seconds",
     "How long the newest complete backup kept the apps paused or stopped."},
    {"agentchat_backup_sanity_warnings",
     "Sanity warnings of the newest complete backup (size, rows, emptied volumes)."},
    {"agentchat_backups", "Complete backups of the project in the repository."},
};

std::string escapeLabel(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string number(double value) {
  std::ostringstream out;
  out.precision(15);
  out << value;
  return out.str();
}

std::string projectLabel(const std::string& project) {
  return "project=\"" + escapeLabel(project) + "\"";
}

// family -> sample lines of this project
std::map<std::string, std::vector<std::string>> samples(const BackupFacts& f) {
  std::map<std::string, std::vector<std::string>> out;
  const std::string p = projectLabel(f.project);
  auto add = [&](const std::string& family, double value, const std::string& extra = "") {
    out[family].push_back(family + "{" + p + extra + "} " + number(value));
  };
  if (f.newest) {
    if (auto t = backupTime(f.newest->id))
      add("agentchat_backup_last_success_timestamp_seconds", static_cast<double>(*t));
    std::map<std::string, std::pair<double, double>> byKind;  // stored, read
    for (const auto& part : f.newest->parts) {
      byKind[part.kind].first += static_cast<double>(part.size);
      byKind[part.kind].second += static_cast<double>(part.rawSize);
    }
    for (const auto& [kind, bytes] : byKind) {
      std::string label = ",kind=\"" + escapeLabel(kind) + "\"";
      add("agentchat_backup_stored_bytes", bytes.first, label);
      add("agentchat_backup_read_bytes", bytes.second, label);
    }
    add("agentchat_backup_parts", static_cast<double>(f.newest->parts.size()));
    const json& pause = f.newest->details.value("pause", json::object());
    add("agentchat_backup_pause_seconds", pause.value("seconds", 0.0));
    add("agentchat_backup_sanity_warnings", static_cast<double>(sanityWarnings(*f.newest).size()));
  }
  if (f.lastAttempt) {
    add("agentchat_backup_last_run_timestamp_seconds", f.lastAttempt->value("unixTime", 0.0));
    add("agentchat_backup_last_exit_code", f.lastAttempt->value("exitCode", -1));
    add("agentchat_backup_last_duration_seconds", f.lastAttempt->value("seconds", 0.0));
  }
  add("agentchat_backups", static_cast<double>(f.backups));
  return out;
}

std::string render(const std::map<std::string, std::vector<std::string>>& byFamily) {
  std::string text;
  for (const auto& family : kFamilies) {
    auto it = byFamily.find(family.name);
    if (it == byFamily.end() || it->second.empty()) continue;
    text += std::string("# HELP ") + family.name + " " + family.help + "\n";
    text += std::string("# TYPE ") + family.name + " gauge\n";
    for (const auto& line : it->second) text += line + "\n";
  }
  return text;
}

}  // namespace

BackupFacts readBackupFacts(const volumes::Repository& repository, const std::string& project) {
  BackupFacts facts;
  facts.project = project;
  auto ids = repository.list(project);
  facts.backups = ids.size();
  for (const auto& id : ids) {
    try {
      auto manifest = repository.read(project, id);
      if (manifest.label == "pre-restore") continue;  // a restore's safety snapshot is not the nightly backup
      facts.newest = std::move(manifest);
      break;
    } catch (const std::exception&) {
      continue;  // unreadable: verify's business
    }
  }
  facts.lastAttempt = readBackupOutcome(lastBackupPath(repository, project));
  return facts;
}

std::string prometheusText(const BackupFacts& facts) {
  return render(samples(facts));
}

void writeMetricsFile(const std::filesystem::path& path, const BackupFacts& facts) {
  auto byFamily = samples(facts);
  std::map<std::string, std::vector<std::string>> merged;
  const std::string ours = projectLabel(facts.project);
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    auto brace = line.find('{');
    if (brace == std::string::npos) continue;
    std::string family = line.substr(0, brace);
    // Another project's sample of a family we write: kept as it is.
    bool known = false;
    for (const auto& f : kFamilies) known = known || family == f.name;
    if (known && line.find(ours) == std::string::npos) merged[family].push_back(line);
  }
  for (auto& [family, lines] : byFamily)
    merged[family].insert(merged[family].end(), lines.begin(), lines.end());
  writePrivateFile(path, render(merged), 0644);  // node_exporter may run as another user
}

}  // namespace agentchat
