#include "plugin/databases/postgres_dump.hpp"

#include <regex>
#include <sstream>

#include "base/text_lines.hpp"

namespace agentchat {

namespace {

void runTool(PostgresClient& client, const std::vector<std::string>& cmd, const base::ChunkSink& out,
             const std::string& what) {
  std::string errors;
  auto result = client.run(cmd, out, [&](std::string_view e) {
    if (errors.size() < 4096) errors.append(e);
  });
  if (result.exitCode != 0) {
    throw PostgresError("service " + client.service() + ": " + what + " failed (exit " +
                        std::to_string(result.exitCode) + "): " + base::firstLine(errors));
  }
}

// The role a line of pg_dumpall names after `prefix` ("CREATE ROLE ", "ALTER ROLE "), unquoted, and
// where the name ends; nullopt when the line is not such a line.
std::optional<std::pair<std::string, std::size_t>> roleAfter(const std::string& line,
                                                             const std::string& prefix) {
  if (line.rfind(prefix, 0) != 0) return std::nullopt;
  std::size_t at = prefix.size();
  std::string name;
  if (at < line.size() && line[at] == '"') {
    for (++at; at < line.size(); ++at) {
      if (line[at] == '"') {
        if (at + 1 < line.size() && line[at + 1] == '"') {
          name.push_back('"');
          ++at;
          continue;
        }
        return std::make_pair(name, at + 1);
      }
      name.push_back(line[at]);
    }
    return std::nullopt;
  }
  std::size_t end = line.find_first_of(" ;", at);
  if (end == std::string::npos) return std::nullopt;
  return std::make_pair(line.substr(at, end - at), end);
}

}  // namespace

void dumpPostgresDatabase(PostgresClient& client, const std::string& database, const std::string& snapshot,
                          const base::ChunkSink& out) {
  // gzip level 1 in the container: the engine's exec stream is the bottleneck (about 100 MB/s on
  // Engine 20.10), and level 1 costs less CPU there than pg_dump's default level.
  runTool(client,
          {"pg_dump", "--format=custom", "--compress=1", "--no-tablespaces", "--snapshot=" + snapshot,
           "--dbname=" + pgConnectionString(database)},
          out, "pg_dump of database " + database);
}

void dumpPostgresGlobals(PostgresClient& client, const base::ChunkSink& out) {
  // Tablespaces name directories of the source host; the dumps put everything in the default one.
  runTool(client,
          {"pg_dumpall", "--globals-only", "--no-tablespaces",
           "--database=" + std::string(PostgresClient::kMaintenanceDatabase)},
          out, "pg_dumpall --globals-only");
}

std::string postgresGlobalsForRestore(const std::string& script, const std::string& loginRole) {
  static const std::regex password(R"( PASSWORD ('([^']|'')*'|NULL))");
  std::istringstream in(script);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    // pg_dumpall 13.22/14.19/15.14/16.10/17.6 and later fence the script with \restrict KEY: a psql
    // of an older minor version refuses the unknown command, and the script needs no fence here.
    if (line.rfind("\\restrict ", 0) == 0 || line.rfind("\\unrestrict ", 0) == 0) continue;
    if (auto role = roleAfter(line, "CREATE ROLE "); role && line.substr(role->second) == ";") {
      if (role->first == loginRole) continue;  // it exists: the container logs in with it
      line = "DO $agentchat$ BEGIN " + line + " EXCEPTION WHEN duplicate_object THEN NULL; END $agentchat$;";
    } else if (auto altered = roleAfter(line, "ALTER ROLE "); altered && altered->first == loginRole) {
      line = std::regex_replace(line, password, "");
    }
    out += line;
    out += '\n';
  }
  return out;
}

}  // namespace agentchat
