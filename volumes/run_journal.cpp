#include "volumes/run_journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "volumes/part_file.hpp"

namespace volumes {

namespace fs = std::filesystem;
using nlohmann::json;

RunJournal::RunJournal(fs::path file, RunRecord run) : file_(std::move(file)), run_(std::move(run)) {}

void RunJournal::hold(const HeldContainer& container) {
  std::lock_guard lock(mutex_);
  run_.held.push_back(container);
  save();
}

void RunJournal::release(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto& held = run_.held;
  held.erase(std::remove_if(held.begin(), held.end(), [&](const HeldContainer& c) { return c.id == id; }),
             held.end());
  if (held.empty()) {
    removeJournal(file_);
  } else {
    save();
  }
}

void RunJournal::save() {
  json held = json::array();
  for (const auto& c : run_.held) {
    held.push_back({{"id", c.id},
                    {"name", c.name},
                    {"stopped", c.stopped},
                    {"startedAt", c.startedAt},
                    {"heldAt", c.heldAt},
                    {"stopTimeout", c.stopTimeout}});
  }
  json doc = {{"pid", run_.pid},         {"host", run_.host}, {"command", run_.command},
              {"started", run_.started}, {"note", run_.note}, {"held", held}};
  fs::path temp = file_;
  temp += ".tmp";
  std::error_code ec;
  fs::remove(temp, ec);
  {
    PartFile out(temp);
    out.write(doc.dump() + "\n");
    out.close();
  }
  fs::rename(temp, file_, ec);
  if (ec) throw RepositoryError("cannot write the run journal " + file_.string() + ": " + ec.message());
  // The rename itself must survive a power cut: the journal exists for exactly that case.
  int dir = ::open(file_.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

std::optional<RunRecord> readJournal(const fs::path& file) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  auto doc = json::parse(text.str(), nullptr, false);
  try {
    if (doc.is_discarded() || !doc.is_object()) throw std::runtime_error("not a JSON object");
    RunRecord run;
    run.pid = doc.at("pid").get<long>();
    run.host = doc.at("host").get<std::string>();
    run.command = doc.at("command").get<std::string>();
    run.started = doc.at("started").get<std::string>();
    run.note = doc.value("note", "");
    for (const auto& c : doc.at("held")) {
      run.held.push_back({c.at("id").get<std::string>(), c.at("name").get<std::string>(),
                          c.at("stopped").get<bool>(), c.value("startedAt", ""), c.value("heldAt", 0LL),
                          c.value("stopTimeout", 0)});
    }
    return run;
  } catch (const std::exception& e) {
    throw RepositoryError("unreadable run journal " + file.string() + " (" + e.what() +
                          "); check the stack with docker ps, then delete the file");
  }
}

void removeJournal(const fs::path& file) {
  std::error_code ec;
  fs::remove(file, ec);
  fs::path temp = file;
  temp += ".tmp";
  fs::remove(temp, ec);
}

}  // namespace volumes
