#include "plugin/databases/mysql_client.hpp"

#include "base/text_lines.hpp"
#include "dockerapi/exec.hpp"

namespace agentchat {

namespace {

std::optional<std::string> unescape(const std::string& field) {
  if (field == "NULL") return std::nullopt;
  std::string out;
  out.reserve(field.size());
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\' || i + 1 == field.size()) {
      out.push_back(field[i]);
      continue;
    }
    char next = field[++i];
    switch (next) {
      case 't':
        out.push_back('\t');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case '0':
        out.push_back('\0');
        break;
      case '\\':
        out.push_back('\\');
        break;
      default:
        out.push_back('\\');
        out.push_back(next);
    }
  }
  return out;
}

}  // namespace

std::string quoteIdentifier(const std::string& name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out.push_back('`');
    out.push_back(c);
  }
  return out + "`";
}

std::vector<MysqlClient::Row> parseBatchOutput(const std::string& output) {
  std::vector<MysqlClient::Row> rows;
  std::size_t start = 0;
  while (start < output.size()) {
    std::size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    std::string line = output.substr(start, end - start);
    MysqlClient::Row row;
    std::size_t fieldStart = 0;
    while (true) {
      std::size_t tab = line.find('\t', fieldStart);
      row.push_back(
          unescape(line.substr(fieldStart, tab == std::string::npos ? std::string::npos : tab - fieldStart)));
      if (tab == std::string::npos) break;
      fieldStart = tab + 1;
    }
    rows.push_back(std::move(row));
    start = end + 1;
  }
  return rows;
}

MysqlClient::MysqlClient(dockerapi::Engine& engine, std::string container, std::string service,
                         compose::DatabaseLogin login)
    : engine_(engine),
      container_(std::move(container)),
      service_(std::move(service)),
      login_(std::move(login)) {}

std::vector<std::string> MysqlClient::loginEnv() const {
  if (login_.password.empty()) return {};
  return {"MYSQL_PWD=" + login_.password.reveal()};
}

std::vector<std::string> MysqlClient::loginArgs() const {
  return {"-u", login_.user};
}

namespace {
MysqlTools toolsFor(const std::string& clientPath) {
  if (clientPath.ends_with("mariadb")) return {"mariadb", "mariadb-dump", "mariadb-admin"};
  return {"mysql", "mysqldump", "mysqladmin"};
}
// Finds the client the image has (MariaDB 11 images have only mariadb-*, MySQL images only mysql*).
constexpr const char* kFindClient = "command -v mariadb || command -v mysql";
}  // namespace

const MysqlTools& MysqlClient::tools() {
  if (!tools_) {
    auto found = dockerapi::execCapture(engine_, container_, {{"sh", "-c", kFindClient}, {}, {}, {}});
    std::string path = base::firstLine(found.out);
    if (found.exitCode != 0 || path.empty()) {
      throw MysqlError("service " + service_ +
                       ": neither the mariadb nor the mysql client is installed in its image");
    }
    tools_ = toolsFor(path);
  }
  return *tools_;
}

std::vector<MysqlClient::Row> MysqlClient::query(const std::string& sql) {
  std::vector<std::string> args{"--batch", "--skip-column-names"};
  for (auto& arg : loginArgs()) args.push_back(arg);
  args.insert(args.end(), {"-e", sql});
  std::vector<std::string> cmd;
  if (tools_) {
    cmd.push_back(tools_->client);
  } else {
    // The first query also finds the client: one exec instead of two. SQL and user are
    // arguments ($@), never spliced into the script.
    cmd = {"sh", "-c", std::string("c=$(") + kFindClient + ") || exit 127; echo \"$c\"; exec \"$c\" \"$@\"",
           "sh"};
  }
  cmd.insert(cmd.end(), args.begin(), args.end());
  auto result = dockerapi::execCapture(engine_, container_, {cmd, loginEnv(), {}, {}});
  if (!tools_) {
    if (result.exitCode == 127 && result.out.empty()) {
      throw MysqlError("service " + service_ +
                       ": neither the mariadb nor the mysql client is installed in its image");
    }
    auto newline = result.out.find('\n');
    tools_ = toolsFor(result.out.substr(0, newline));
    result.out.erase(0, newline == std::string::npos ? result.out.size() : newline + 1);
  }
  if (result.exitCode != 0) {
    std::string why = base::firstLine(result.err);
    if (why.find("Access denied") != std::string::npos) {
      why += " (the password comes from the container's " + login_.source + "; is it still the server's?)";
    }
    throw MysqlError("service " + service_ +
                     ": query failed: " + (why.empty() ? "exit " + std::to_string(result.exitCode) : why));
  }
  if (!result.out.empty() && result.out.back() == '\n') result.out.pop_back();
  if (result.out.empty()) return {};
  return parseBatchOutput(result.out);
}

std::optional<std::string> MysqlClient::scalar(const std::string& sql) {
  auto rows = query(sql);
  if (rows.empty() || rows.front().empty()) return std::nullopt;
  return rows.front().front();
}

dockerapi::ExecResult MysqlClient::run(const std::vector<std::string>& cmd, base::ChunkSink out,
                                       base::ChunkSink err, base::ChunkSource in) {
  return engine_.exec(container_, {cmd, loginEnv(), {}, {}}, std::move(out), std::move(err), std::move(in));
}

bool MysqlClient::ping(std::string& error) {
  std::vector<std::string> cmd{tools().admin};
  for (auto& arg : loginArgs()) cmd.push_back(arg);
  cmd.push_back("ping");
  auto result = dockerapi::execCapture(engine_, container_, {cmd, loginEnv(), {}, {}});
  // mysqladmin ping exits 0 for a live server even when the login is refused; check the words too.
  bool alive = result.exitCode == 0 && result.out.find("is alive") != std::string::npos;
  if (!alive) error = base::firstLine(result.err.empty() ? result.out : result.err);
  return alive;
}

}  // namespace agentchat
