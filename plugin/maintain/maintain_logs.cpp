#include "plugin/maintain/maintain_logs.hpp"

#include <cmath>

#include "base/text_lines.hpp"
#include "dockerapi/exec.hpp"

namespace agentchat {

namespace {

// $1 the path, $2 the cutoff, $3 "delete" or "list". The path itself must be a real directory or
// file: a symlink there would lead find (and the deletion) somewhere else. -delete's own outcome
// picks the record: D deleted, F failed; L only listed.
constexpr const char* kCleanScript = R"sh(
p=$1
if [ -L "$p" ]; then exit 4; fi
if [ ! -e "$p" ]; then exit 3; fi
command -v find >/dev/null || exit 5
rec='\t%s\t%T@\t%p\0'
if [ "$3" = delete ]; then
  exec find -P "$p" -xdev -type f ! -newermt "@$2" \( -delete -printf "D$rec" -o -printf "F$rec" \)
fi
exec find -P "$p" -xdev -type f ! -newermt "@$2" -printf "L$rec"
)sh";

}  // namespace

std::vector<LogFile> parseFindRecords(const std::string& out) {
  std::vector<LogFile> files;
  std::size_t start = 0;
  while (start < out.size()) {
    std::size_t end = out.find('\0', start);
    if (end == std::string::npos) end = out.size();
    std::string record = out.substr(start, end - start);
    start = end + 1;
    std::size_t t1 = record.find('\t'), t2 = record.find('\t', t1 + 1), t3 = record.find('\t', t2 + 1);
    if (record.empty() || t1 != 1 || t2 == std::string::npos || t3 == std::string::npos) continue;
    LogFile file;
    file.path = record.substr(t3 + 1);
    try {
      file.bytes = std::stoull(record.substr(t1 + 1, t2 - t1 - 1));
      file.mtime = static_cast<std::int64_t>(std::floor(std::stod(record.substr(t2 + 1, t3 - t2 - 1))));
    } catch (const std::exception&) {
      continue;
    }
    file.deleted = record[0] == 'D';
    file.failed = record[0] == 'F';
    files.push_back(std::move(file));
  }
  return files;
}

LogCleanup cleanLogPath(dockerapi::Engine& engine, const std::string& container, const std::string& path,
                        std::int64_t cutoff, bool dryRun) {
  LogCleanup cleanup;
  cleanup.path = path;
  auto result = dockerapi::execCapture(
      engine, container,
      {{"sh", "-c", kCleanScript, "sh", path, std::to_string(cutoff), dryRun ? "list" : "delete"},
       {},
       {},
       {}});
  cleanup.files = parseFindRecords(result.out);
  switch (result.exitCode) {
    case 0:
      break;
    case 3:
      cleanup.error = "does not exist in the container; nothing to clean";
      break;
    case 4:
      cleanup.ok = false;
      cleanup.error = "is a symlink; not followed (name the directory it points to instead)";
      break;
    case 5:
      cleanup.ok = false;
      cleanup.error = "find is not installed in the service's image";
      break;
    default:
      cleanup.ok = false;
      cleanup.error = "find exited " + std::to_string(result.exitCode) + ": " + base::firstLine(result.err);
  }
  for (const auto& f : cleanup.files) {
    if (f.failed) cleanup.ok = false;
  }
  return cleanup;
}

}  // namespace agentchat
