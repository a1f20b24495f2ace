#include "plugin/restore/sqlite_drill.hpp"

#include <fstream>

#include "base/private_dir.hpp"
#include "base/tar_walker.hpp"
#include "plugin/databases/sqlite_check.hpp"
#include "volumes/part_reader.hpp"

namespace agentchat {

namespace fs = std::filesystem;

DrillResult sqliteDrill(const volumes::PartRecord& part, const volumes::BackupRef& backup,
                        const volumes::PartKeys* keys) {
  DrillResult result{part.name, false, {}, 0};
  // SQLite opens files: the databases wait in a private directory, removed at the end.
  base::PrivateDir dir("agentchat-verify-sqlite");
  std::vector<std::pair<std::string, fs::path>> files;  // name in the part, copy here
  std::ofstream out;
  base::TarWalker walker(
      [&](const base::TarEntry& entry) {
        if (out.is_open()) out.close();
        if (!entry.regular()) return false;
        fs::path file = dir.path() / std::to_string(files.size());
        files.emplace_back(entry.name, file);
        out.open(file, std::ios::binary | std::ios::trunc);
        return true;
      },
      [&](std::string_view data) { out.write(data.data(), static_cast<std::streamsize>(data.size())); });
  volumes::PartReader reader(backup.open(part), part, keys);
  std::vector<char> buffer(1 << 20);
  while (std::size_t n = reader.read(buffer.data(), buffer.size()))
    walker.feed(std::string_view(buffer.data(), n));
  walker.finish();
  if (out.is_open()) out.close();
  if (!out)
    throw std::runtime_error("cannot write a SQLite copy into " + dir.path().string() + " (disk full?)");
  if (files.empty()) result.problems.push_back("the part holds no database");
  for (const auto& [name, file] : files) {
    auto check = checkSqliteCopy(file);
    if (!check.ok) result.problems.push_back(name + ": " + check.problem);
  }
  result.ok = result.problems.empty();
  return result;
}

}  // namespace agentchat
