// Every error class carries the exit code the CLI ends with when it reaches the top (README, "Exit
// codes"); these are the codes the catch ladder in cli.cpp gave each class before there was one root.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/tar_walker.hpp"
#include "compose/error.hpp"
#include "dockerapi/errors.hpp"
#include "plugin/backup/backup_runner.hpp"
#include "plugin/cli/exit_codes.hpp"
#include "plugin/cli/stack_loader.hpp"
#include "plugin/databases/mysql_client.hpp"
#include "plugin/databases/mysql_dump.hpp"
#include "plugin/databases/redis_client.hpp"
#include "plugin/databases/redis_snapshot.hpp"
#include "plugin/migrate/migrate_runner.hpp"
#include "plugin/repository/repository_location.hpp"
#include "plugin/restore/restore_runner.hpp"
#include "plugin/restore/restore_steps.hpp"
#include "volumes/age_keys.hpp"
#include "volumes/host_archive.hpp"
#include "volumes/manifest.hpp"
#include "volumes/part_decoder.hpp"
#include "volumes/part_file.hpp"
#include "volumes/s3/s3_error.hpp"
#include "volumes/stream_pipe.hpp"
#include "volumes/zstd_stream.hpp"

namespace {

namespace code = agentchat::exit_code;

int exitCodeOf(const base::Error& error) {
  return error.exitCode();
}

TEST(ExitCodes, KeepTheirDocumentedValues) {
  EXPECT_EQ(code::kOk, 0);
  EXPECT_EQ(code::kFailed, 1);
  EXPECT_EQ(code::kUsage, 2);
  EXPECT_EQ(code::kEngine, 3);
  EXPECT_EQ(code::kNotFound, 4);
  EXPECT_EQ(code::kRollbackFailed, 5);
  EXPECT_EQ(code::kAppsUnhealthy, 6);
  EXPECT_EQ(code::kInterrupted, 130);
}

TEST(ExitCodes, OperationFailuresEndWithOne) {
  EXPECT_EQ(exitCodeOf(agentchat::RestoreStepFailed("x")), 1);
  EXPECT_EQ(exitCodeOf(agentchat::RedisError("x")), 1);
  EXPECT_EQ(exitCodeOf(agentchat::DumpFailed("x")), 1);
  EXPECT_EQ(exitCodeOf(agentchat::BackupFailed("x")), 1);
  EXPECT_EQ(exitCodeOf(agentchat::SnapshotFailed("x")), 1);
  EXPECT_EQ(exitCodeOf(agentchat::MigrationFailed("x")), 1);
  EXPECT_EQ(exitCodeOf(agentchat::MysqlError("x")), 1);
  EXPECT_EQ(exitCodeOf(volumes::CompressionError("x")), 1);
  EXPECT_EQ(exitCodeOf(volumes::ArchiveError("x")), 1);
  EXPECT_EQ(exitCodeOf(volumes::PartKeyError("x")), 1);
  EXPECT_EQ(exitCodeOf(volumes::ManifestError("x")), 1);
  EXPECT_EQ(exitCodeOf(base::TarError("x")), 1);
  EXPECT_EQ(exitCodeOf(volumes::AgeError(volumes::AgeError::Kind::Corrupt, "x")), 1);
  EXPECT_EQ(exitCodeOf(volumes::RepositoryError("x")), 1);
  EXPECT_EQ(exitCodeOf(volumes::RepositoryError("x", /*full=*/true)), 1);
  EXPECT_EQ(exitCodeOf(volumes::s3::S3Error("x", 403, "AccessDenied")), 1);
  EXPECT_EQ(exitCodeOf(volumes::StreamPipe::PipeClosed()), 1);
}

TEST(ExitCodes, MissingThingsEndWithFour) {
  EXPECT_EQ(exitCodeOf(agentchat::BackupNotFound("x")), 4);
  EXPECT_EQ(exitCodeOf(agentchat::ProjectNotFound("x")), 4);
}

TEST(ExitCodes, ComposeErrorsAreUsageErrors) {
  EXPECT_EQ(exitCodeOf(compose::Error("x")), 2);
  EXPECT_EQ(exitCodeOf(compose::Error("docker-compose.yml", 3, "services.redis", "x")), 2);
}

TEST(ExitCodes, RestoreFailedSaysWhetherTheRollbackHeld) {
  EXPECT_EQ(exitCodeOf(agentchat::RestoreFailed("x", /*rolledBack=*/true)), 1);
  EXPECT_EQ(exitCodeOf(agentchat::RestoreFailed("x", /*rolledBack=*/false)), 5);
}

TEST(ExitCodes, EngineErrorsByKind) {
  using dockerapi::EngineError;
  using dockerapi::ErrorKind;
  EXPECT_EQ(exitCodeOf(EngineError(ErrorKind::Unreachable, "x")), 3);
  EXPECT_EQ(exitCodeOf(EngineError(ErrorKind::Server, "x")), 3);
  EXPECT_EQ(exitCodeOf(EngineError(ErrorKind::Protocol, "x")), 3);
  EXPECT_EQ(exitCodeOf(EngineError(ErrorKind::Unsupported, "x")), 3);
  EXPECT_EQ(exitCodeOf(EngineError(ErrorKind::NotFound, "x")), 4);
  EXPECT_EQ(exitCodeOf(EngineError(ErrorKind::BadRequest, "x")), 2);
  EXPECT_EQ(exitCodeOf(EngineError(ErrorKind::NotRunning, "x")), 1);
  EXPECT_EQ(exitCodeOf(EngineError(ErrorKind::Conflict, "x")), 1);
  EXPECT_EQ(exitCodeOf(EngineError(ErrorKind::Forbidden, "x")), 1);
}

TEST(ExitCodes, ReportAddsWhatToDoOnlyWhenTheRepositoryIsFull) {
  EXPECT_EQ(volumes::RepositoryError("write failed").report(), "write failed");
  EXPECT_EQ(volumes::RepositoryError("write failed", /*full=*/true).report(),
            "write failed\nThe repository's filesystem is full: free space there or point --repo elsewhere; "
            "nothing was kept of this run.");
  EXPECT_EQ(compose::Error("bad file").report(), "bad file");
}

}  // namespace
