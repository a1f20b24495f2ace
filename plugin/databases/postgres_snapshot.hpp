#pragma once
// A transaction held open in one database while its dump runs: it exports its snapshot (pg_dump
// --snapshot makes the dump see exactly that moment, however long it takes) and reads the database's
// catalog with exact row counts in the same snapshot. PostgreSQL cannot share one snapshot across
// databases, so each database gets its own, all taken while the writers are paused.
#include <condition_variable>
#include <exception>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "plugin/databases/postgres_client.hpp"

namespace agentchat {

class PostgresSnapshot {
 public:
  // Returns once the snapshot is exported; throws PostgresError (naming the service and database)
  // when the session fails or takes over a minute.
  PostgresSnapshot(PostgresClient& client, std::string database);
  ~PostgresSnapshot();  // ends the transaction
  PostgresSnapshot(const PostgresSnapshot&) = delete;
  PostgresSnapshot& operator=(const PostgresSnapshot&) = delete;

  const std::string& id() const { return id_; }
  // postgresCatalogQuery()'s answer, read in the snapshot, with the sequences as they were when it was
  // exported; waits for it.
  nlohmann::json catalog();
  // Ends the transaction and waits for the session; throws if it failed.
  void close();

 private:
  std::size_t input(char* buffer, std::size_t capacity);
  void output(std::string_view chunk);
  std::string failure() const;  // under mutex_

  PostgresClient& client_;
  std::string database_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string script_;
  std::size_t sent_ = 0;
  bool released_ = false, committed_ = false, ended_ = false;
  std::string line_, err_, id_;
  std::optional<nlohmann::json> catalog_;
  nlohmann::json sequences_ = nlohmann::json::object();
  int exitCode_ = -1;
  std::exception_ptr error_;
  std::thread session_;
};

}  // namespace agentchat
