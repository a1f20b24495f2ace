#pragma once
// Exit codes, documented in the README. `status` uses the monitoring-plugin convention
// (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN), and the others line up with it where they can.
// In base so that every error class can name the code it ends the command with.
namespace base::exit_code {

inline constexpr int kOk = 0;
inline constexpr int kFailed = 1;          // the operation ran and failed (or found a mismatch)
inline constexpr int kUsage = 2;           // bad command line or configuration
inline constexpr int kEngine = 3;          // the Docker engine is unreachable, too old or misbehaving
inline constexpr int kNotFound = 4;        // a named thing (context, container, project, backup) is missing
inline constexpr int kRollbackFailed = 5;  // restore failed and its rollback did too: see the message
inline constexpr int kAppsUnhealthy = 6;   // restore complete and verified, but an app is not healthy
inline constexpr int kInterrupted = 130;   // SIGINT/SIGTERM; everything paused or stopped was resumed

}  // namespace base::exit_code
