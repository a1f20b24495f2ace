#include "plugin/repository/bundle_commands.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "base/human_units.hpp"
#include "plugin/cli/exit_codes.hpp"
#include "plugin/cli/stack_loader.hpp"
#include "plugin/repository/part_keys.hpp"
#include "plugin/repository/repository_location.hpp"
#include "volumes/audit_log.hpp"
#include "volumes/bundle.hpp"
#include "volumes/part_check.hpp"

namespace agentchat {

namespace fs = std::filesystem;

namespace {

class ExportCommand : public Command {
 public:
  std::string which = "latest", output;
  KeyOptions keyOptions;

  int run(Session& session) override {
    compose::Stack stack = loadStackForRepository(session);
    auto opened = openRepository(session, stack);
    volumes::Repository& repository = *opened;
    std::string id = resolveBackupId(repository, stack.name, which);
    auto manifest = repository.read(stack.name, id);
    // A damaged part would travel far before anyone noticed: checked here first. Encrypted parts
    // travel encrypted; with their key, their content is checked too.
    auto keys = loadPartKeys(keyOptions);
    if (!keys.empty() || sealedChunks(manifest)) requireKeysFor(repository, manifest, keys);
    // Sealed chunks leave as age files to the backup's own recipients (its passphrase from the keys).
    auto resealTo = sealedChunks(manifest) ? sameEncryptionAs(manifest, keys).recipients
                                           : std::vector<volumes::AgeRecipient>{};
    if (sealedChunks(manifest) && manifest.encryption.passphrase && resealTo.empty())
      throw std::invalid_argument("export: backup " + id +
                                  " is encrypted with a passphrase: give it with --passphrase-file FILE, so "
                                  "its parts leave sealed with it");
    for (const auto& part : manifest.parts) {
      auto check = volumes::checkPart({&repository, stack.name, id}, part, false, &keys);
      if (!check.ok) {
        std::cerr << "docker agentchat: backup " << id << ", part " << part.name << ": " << check.problem
                  << "; not exported\n";
        return exit_code::kFailed;
      }
    }
    audit["repository"] = repository.location();
    audit["project"] = stack.name;
    audit["backupId"] = id;
    audit["parts"] = volumes::partDigests(manifest);
    audit["output"] = output;
    bool toStdout = output == "-";
    if (toStdout && ::isatty(STDOUT_FILENO) == 1)
      throw std::invalid_argument("export -o -: standard output is a terminal; redirect it to a file");
    fs::path partial = output + ".partial";
    int fd =
        toStdout ? STDOUT_FILENO : ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot create " + partial.string() + ": " + std::strerror(errno));
    std::uint64_t bytes = 0;
    try {
      volumes::writeBundle(
          repository, stack.name, id,
          [&](std::string_view chunk) {
            while (!chunk.empty()) {
              ssize_t n = ::write(fd, chunk.data(), chunk.size());
              if (n < 0 && errno == EINTR) continue;
              if (n < 0) throw std::runtime_error(std::string("writing the bundle: ") + std::strerror(errno));
              chunk.remove_prefix(static_cast<std::size_t>(n));
              bytes += static_cast<std::uint64_t>(n);
            }
          },
          resealTo);
      if (!toStdout && (::fsync(fd) != 0 || ::close(fd) != 0))
        throw std::runtime_error(std::string("writing the bundle: ") + std::strerror(errno));
    } catch (...) {
      if (!toStdout) {
        ::close(fd);
        fs::remove(partial);
      }
      throw;
    }
    // Renamed into place when complete, like a backup: a file under the asked name is whole.
    if (!toStdout) fs::rename(partial, output);
    std::cerr << "backup " << id << " of " << stack.name << " exported: " << manifest.parts.size()
              << " parts, " << base::humanBytes(bytes) << (toStdout ? "" : " in " + output) << "\n";
    return exit_code::kOk;
  }
};

class ImportCommand : public Command {
 public:
  std::string input;

  int run(Session& session) override {
    compose::Stack stack = loadStackForRepository(session);
    auto opened = openRepository(session, stack);
    volumes::Repository& repository = *opened;
    int fd = input == "-" ? STDIN_FILENO : ::open(input.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw BackupNotFound("cannot open " + input + ": " + std::strerror(errno));
    auto result = volumes::importBundle(repository, [fd](char* buffer, std::size_t capacity) -> std::size_t {
      while (true) {
        ssize_t n = ::read(fd, buffer, capacity);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::runtime_error(std::string("reading the bundle: ") + std::strerror(errno));
        return static_cast<std::size_t>(n);
      }
    });
    if (fd != STDIN_FILENO) ::close(fd);
    audit["repository"] = repository.location();
    audit["project"] = result.project;
    audit["backupId"] = result.id;
    audit["parts"] = volumes::partDigests(repository.read(result.project, result.id));
    audit["input"] = input;
    std::cout << "imported backup " << result.id << " of " << result.project << ": " << result.parts
              << " parts, " << base::humanBytes(result.bytes) << ", every sha256 as in its manifest\n";
    if (result.project != stack.name)
      std::cout << "note: it belongs to project " << result.project << " (here: " << stack.name
                << "); use -p " << result.project << " to list or restore it\n";
    return exit_code::kOk;
  }
};

}  // namespace

RegisteredCommand addExportCommand(CLI::App& app) {
  auto command = std::make_unique<ExportCommand>();
  auto* cli = app.add_subcommand("export", "Write one backup as a single tar file (parts as stored)");
  cli->add_option("backup", command->which, "Backup id, or latest (default)");
  cli->add_option("-o,--output", command->output, "The bundle file, or - for standard output")->required();
  addKeyOptions(cli, command->keyOptions);
  return {cli, std::move(command)};
}

RegisteredCommand addImportCommand(CLI::App& app) {
  auto command = std::make_unique<ImportCommand>();
  auto* cli = app.add_subcommand("import", "Add an exported backup to the repository, checking every part");
  cli->add_option("bundle", command->input, "The bundle file, or - for standard input")->required();
  return {cli, std::move(command)};
}

}  // namespace agentchat
