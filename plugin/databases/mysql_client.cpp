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

MysqlClient::Row parseBatchLine(std::string_view line) {
  MysqlClient::Row row;
  std::size_t fieldStart = 0;
  while (true) {
    std::size_t tab = line.find('\t', fieldStart);
    row.push_back(unescape(std::string(
        line.substr(fieldStart, tab == std::string_view::npos ? std::string_view::npos : tab - fieldStart))));
    if (tab == std::string_view::npos) break;
    fieldStart = tab + 1;
  }
  return row;
}

std::vector<MysqlClient::Row> parseBatchOutput(const std::string& output) {
  std::vector<MysqlClient::Row> rows;
  std::size_t start = 0;
  while (start < output.size()) {
    std::size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    rows.push_back(parseBatchLine(std::string_view(output).substr(start, end - start)));
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
  std::vector<Row> rows;
  query(sql, [&](Row& row) { rows.push_back(std::move(row)); });
  return rows;
}

void MysqlClient::query(const std::string& sql, const std::function<void(Row&)>& each) {
  std::vector<std::string> args{"--batch", "--skip-column-names"};
  for (auto& arg : loginArgs()) args.push_back(arg);
  args.insert(args.end(), {"-e", sql});
  std::vector<std::string> cmd;
  bool findClient = !tools_;
  if (!findClient) {
    cmd.push_back(tools_->client);
  } else {
    // The first query also finds the client: one exec instead of two. SQL and user are
    // arguments ($@), never spliced into the script.
    cmd = {"sh", "-c", std::string("c=$(") + kFindClient + ") || exit 127; echo \"$c\"; exec \"$c\" \"$@\"",
           "sh"};
  }
  cmd.insert(cmd.end(), args.begin(), args.end());
  // Lines are handed on as they end; a row is a line (batch mode escapes newlines in values).
  std::string pending, err;
  bool sawOutput = false;
  auto line = [&](std::string_view text) {
    if (findClient) {
      tools_ = toolsFor(std::string(text));
      findClient = false;
      return;
    }
    Row row = parseBatchLine(text);
    each(row);
  };
  auto out = [&](std::string_view bytes) {
    sawOutput = sawOutput || !bytes.empty();
    pending.append(bytes);
    std::size_t start = 0;
    for (std::size_t end; (end = pending.find('\n', start)) != std::string::npos; start = end + 1)
      line(std::string_view(pending).substr(start, end - start));
    pending.erase(0, start);
  };
  auto errors = [&](std::string_view bytes) {
    if (err.size() < 64 * 1024) err.append(bytes.substr(0, 64 * 1024 - err.size()));
  };
  auto result = engine_.exec(container_, {cmd, loginEnv(), {}, {}}, out, errors, {});
  if (findClient && result.exitCode == 127 && !sawOutput) {
    throw MysqlError("service " + service_ +
                     ": neither the mariadb nor the mysql client is installed in its image");
  }
  if (result.exitCode != 0) {
    std::string why = base::firstLine(err);
    if (why.find("Access denied") != std::string::npos) {
      why += " (the password comes from the container's " + login_.source + "; is it still the server's?)";
    }
    throw MysqlError("service " + service_ +
                     ": query failed: " + (why.empty() ? "exit " + std::to_string(result.exitCode) : why));
  }
  if (!pending.empty()) line(pending);
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
