#include "plugin/databases/postgres_snapshot.hpp"

#include <chrono>
#include <cstring>

#include "base/text_lines.hpp"
#include "plugin/databases/postgres_catalog.hpp"

namespace agentchat {

namespace {

constexpr auto kWaitLimit = std::chrono::seconds(60);
constexpr const char* kSnapshotTag = "agentchat-snapshot:";
constexpr const char* kCatalogTag = "agentchat-catalog:";

}  // namespace

PostgresSnapshot::PostgresSnapshot(PostgresClient& client, std::string database)
    : client_(client), database_(std::move(database)) {
  // The sequences are read with the export, inside the pause; transaction_timeout (17+) is off for
  // this session as PGOPTIONS turns the other timeouts off (a long dump keeps it idle in transaction).
  script_ =
      "SELECT set_config('transaction_timeout', '0', false) WHERE current_setting('server_version_num')::int "
      ">= 170000;\n"
      "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;\n"
      "SELECT '" +
      std::string(kSnapshotTag) + "' || pg_export_snapshot() || ' ' || (" + postgresSequencesQuery() +
      ")::text;\n"
      "SELECT '" +
      kCatalogTag + "' || (" + postgresCatalogQuery() + ")::text;\n";
  session_ = std::thread([this] {
    try {
      auto result = client_.run(
          {"psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", pgConnectionString(database_)},
          [this](std::string_view chunk) { output(chunk); },
          [this](std::string_view chunk) {
            std::lock_guard lock(mutex_);
            if (err_.size() < 4096) err_.append(chunk);
          },
          [this](char* buffer, std::size_t capacity) { return input(buffer, capacity); });
      std::lock_guard lock(mutex_);
      exitCode_ = result.exitCode;
    } catch (...) {
      std::lock_guard lock(mutex_);
      error_ = std::current_exception();
    }
    std::lock_guard lock(mutex_);
    ended_ = true;
    changed_.notify_all();
  });
  std::unique_lock lock(mutex_);
  bool ready = changed_.wait_for(lock, kWaitLimit, [this] { return !id_.empty() || ended_; });
  if (!id_.empty()) return;
  std::string why = ready ? failure() : "no snapshot after " + std::to_string(kWaitLimit.count()) + " s";
  released_ = true;
  lock.unlock();
  changed_.notify_all();
  session_.join();
  throw PostgresError("service " + client_.service() + ": cannot hold a snapshot of database " + database_ +
                      ": " + why);
}

PostgresSnapshot::~PostgresSnapshot() {
  if (!session_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    released_ = true;
  }
  changed_.notify_all();
  session_.join();
}

std::string PostgresSnapshot::failure() const {
  if (error_) {
    try {
      std::rethrow_exception(error_);
    } catch (const std::exception& e) {
      return e.what();
    }
  }
  std::string why = base::firstLine(err_);
  return why.empty() ? "psql ended (exit " + std::to_string(exitCode_) + ")" : why;
}

// The script, then a newline every 100 ms (psql ignores empty lines) while the dump runs: the
// engine's exec pulls stdin and reads output in one thread, so this must never block for long.
std::size_t PostgresSnapshot::input(char* buffer, std::size_t capacity) {
  std::unique_lock lock(mutex_);
  if (sent_ < script_.size()) {
    std::size_t n = std::min(capacity, script_.size() - sent_);
    std::memcpy(buffer, script_.data() + sent_, n);
    sent_ += n;
    return n;
  }
  if (committed_ || capacity == 0) return 0;
  changed_.wait_for(lock, std::chrono::milliseconds(100), [this] { return released_; });
  if (!released_) {
    buffer[0] = '\n';
    return 1;
  }
  static constexpr std::string_view commit = "COMMIT;\n";
  committed_ = true;
  std::size_t n = std::min(capacity, commit.size());
  std::memcpy(buffer, commit.data(), n);
  return n;
}

void PostgresSnapshot::output(std::string_view chunk) {
  std::lock_guard lock(mutex_);
  for (char c : chunk) {
    if (c != '\n') {
      line_.push_back(c);
      continue;
    }
    if (line_.rfind(kSnapshotTag, 0) == 0) {
      std::string rest = line_.substr(std::strlen(kSnapshotTag));
      auto space = rest.find(' ');
      try {
        sequences_ = nlohmann::json::parse(rest.substr(space == std::string::npos ? rest.size() : space + 1));
      } catch (const nlohmann::json::exception&) {
        sequences_ = nlohmann::json::object();
      }
      id_ = rest.substr(0, space);
    } else if (line_.rfind(kCatalogTag, 0) == 0) {
      try {
        catalog_ = nlohmann::json::parse(line_.substr(std::strlen(kCatalogTag)));
      } catch (const nlohmann::json::exception&) {
        catalog_ = nullptr;
      }
    }
    line_.clear();
    changed_.notify_all();
  }
}

nlohmann::json PostgresSnapshot::catalog() {
  std::unique_lock lock(mutex_);
  // Counting every row of a large database takes as long as reading it: no limit here.
  changed_.wait(lock, [this] { return catalog_.has_value() || ended_; });
  if (!catalog_ || catalog_->is_null()) {
    throw PostgresError("service " + client_.service() + ": cannot read the catalog of database " +
                        database_ + ": " + failure());
  }
  auto catalog = *catalog_;
  catalog["sequences"] = sequences_;  // as they stood inside the pause
  return catalog;
}

void PostgresSnapshot::close() {
  {
    std::lock_guard lock(mutex_);
    released_ = true;
  }
  changed_.notify_all();
  session_.join();
  std::lock_guard lock(mutex_);
  if (error_ || exitCode_ != 0) {
    throw PostgresError("service " + client_.service() + ": the snapshot session of database " + database_ +
                        " failed: " + failure());
  }
}

}  // namespace agentchat
