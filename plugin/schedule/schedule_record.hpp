#pragma once
// The outcome of the last scheduled run, kept as schedule-last.json (0600) in the project's state
// directory on this host (for a local repository, <repo>/<project>/), where `schedule show` and
// `status` read it.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "plugin/status/health.hpp"
#include "volumes/repository.hpp"

namespace agentchat {

std::filesystem::path lastRunPath(const volumes::Repository& repository, const std::string& project);

// `text` into a new file (0600 unless told) renamed over `path`: a reader sees the old file or the
// new one, whole. Throws RepositoryError naming the file.
void writePrivateFile(const std::filesystem::path& path, const std::string& text, unsigned mode = 0600);

// Written whole and renamed into place, so a reader never sees half of it. Throws RepositoryError.
void recordLastRun(const std::filesystem::path& path, const nlohmann::json& outcome);
std::optional<nlohmann::json> readLastRun(const std::filesystem::path& path);

// For `status`: nothing when no scheduled run has been recorded; a failed last run is CRITICAL (the
// nightly backup did not happen), a successful one older than 26 h a WARNING (the schedule stopped).
std::optional<Check> scheduledRunCheck(const std::optional<nlohmann::json>& lastRun, std::int64_t now);
// The same, from the project's schedule-last.json.
std::optional<Check> lastScheduledRunCheck(const volumes::Repository& repository, const std::string& project);

}  // namespace agentchat
