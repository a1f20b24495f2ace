#include "tests/support/engine_contract.hpp"

#include "base/tar_walker.hpp"
#include "dockerapi/errors.hpp"
#include "dockerapi/exec.hpp"
#include "tests/support/fake_files.hpp"

namespace engine_contract {

using dockerapi::EngineError;
using dockerapi::ErrorKind;

namespace {

// Runs `call` and returns the EngineError it raised; fails the test when it raised none.
template <typename Call>
EngineError errorOf(Call&& call) {
  try {
    call();
  } catch (const EngineError& e) {
    return e;
  }
  ADD_FAILURE() << "expected an EngineError";
  return EngineError(ErrorKind::Protocol, "none raised");
}

// Regular files of a tar stream by entry name.
std::map<std::string, std::string> filesOf(const std::string& tar) {
  std::map<std::string, std::string> files;
  std::string* current = nullptr;
  base::TarWalker walker(
      [&](const base::TarEntry& entry) {
        current = entry.regular() ? &files[entry.name] : nullptr;
        return current != nullptr;
      },
      [&](std::string_view data) { current->append(data); });
  walker.feed(tar);
  walker.finish();
  return files;
}

std::string started(Scene& scene, const std::string& volume = {}) {
  std::string id = scene.createIdle(volume);
  scene.engine().startContainer(id);
  return id;
}

}  // namespace

void startingARunningContainerIsANoOp(Scene& scene) {
  auto& engine = scene.engine();
  std::string id = started(scene);
  std::string startedAt = engine.inspectContainer(id).startedAt;
  engine.startContainer(id);  // 304: no error, no restart
  auto info = engine.inspectContainer(id);
  EXPECT_TRUE(info.running);
  EXPECT_EQ(info.startedAt, startedAt);
}

void stoppingAStoppedContainerIsANoOp(Scene& scene) {
  auto& engine = scene.engine();
  std::string id = started(scene);
  std::string firstStart = engine.inspectContainer(id).startedAt;
  engine.stopContainer(id, 1);
  engine.stopContainer(id, 1);  // 304
  auto stopped = engine.inspectContainer(id);
  EXPECT_FALSE(stopped.running);
  EXPECT_EQ(stopped.status, "exited");
  engine.startContainer(id);
  // A new start shows in StartedAt: how a later run tells a restart apart.
  EXPECT_NE(engine.inspectContainer(id).startedAt, firstStart);
}

void removingARunningContainerNeedsForce(Scene& scene) {
  auto& engine = scene.engine();
  std::string id = started(scene);
  auto error = errorOf([&] { engine.removeContainer(id, false); });
  EXPECT_EQ(error.kind(), ErrorKind::Conflict) << error.what();
  EXPECT_EQ(error.httpStatus(), 409);
  EXPECT_TRUE(engine.inspectContainer(id).running);
  engine.removeContainer(id, true);
  EXPECT_EQ(errorOf([&] { engine.inspectContainer(id); }).kind(), ErrorKind::NotFound);
}

void anUnknownContainerIsNotFound(Scene& scene) {
  auto& engine = scene.engine();
  const std::string name = "agentchat-contract-no-such-container";
  std::vector<EngineError> errors{
      errorOf([&] { engine.inspectContainer(name); }), errorOf([&] { engine.startContainer(name); }),
      errorOf([&] { engine.pauseContainer(name); }), errorOf([&] { engine.removeContainer(name, true); })};
  for (const auto& error : errors) {
    EXPECT_EQ(error.kind(), ErrorKind::NotFound) << error.what();
    EXPECT_EQ(error.httpStatus(), 404);
  }
}

void pauseAndUnpauseShowInInspect(Scene& scene) {
  auto& engine = scene.engine();
  std::string id = started(scene);
  engine.pauseContainer(id);
  auto paused = engine.inspectContainer(id);
  EXPECT_TRUE(paused.paused);
  EXPECT_TRUE(paused.running);  // the engine reports a paused container as running too
  EXPECT_EQ(paused.status, "paused");
  auto twice = errorOf([&] { engine.pauseContainer(id); });
  EXPECT_EQ(twice.httpStatus(), 409);
  EXPECT_EQ(twice.kind(), ErrorKind::Conflict) << twice.what();
  engine.unpauseContainer(id);
  auto resumed = engine.inspectContainer(id);
  EXPECT_FALSE(resumed.paused);
  EXPECT_EQ(resumed.status, "running");
  // Not a 409 like pausing twice: the daemon returns a plain error (seen on Engine 20.10; its code
  // still does later), so StackGuard decides a failed unpause by the container's state, not the code.
  auto notPaused = errorOf([&] { engine.unpauseContainer(id); });
  EXPECT_EQ(notPaused.httpStatus(), 500);
  EXPECT_EQ(notPaused.kind(), ErrorKind::Server) << notPaused.what();
  EXPECT_NE(notPaused.engineMessage().find("is not paused"), std::string::npos) << notPaused.what();
  EXPECT_TRUE(engine.inspectContainer(id).running);
  engine.stopContainer(id, 1);
  auto stopped = errorOf([&] { engine.pauseContainer(id); });
  EXPECT_EQ(stopped.httpStatus(), 409);
  EXPECT_EQ(stopped.kind(), ErrorKind::NotRunning) << stopped.what();
}

void aContainerWithoutHealthcheckHasNoHealth(Scene& scene) {
  auto info = scene.engine().inspectContainer(started(scene));
  EXPECT_FALSE(info.health.has_value());
  EXPECT_FALSE(info.healthState.has_value());
}

void execReportsExitCodeAndSeparatesStreams(Scene& scene) {
  auto& engine = scene.engine();
  std::string id = started(scene);
  auto result = dockerapi::execCapture(engine, id, {kStreamsCommand, {}, {}, {}});
  EXPECT_EQ(result.exitCode, kStreamsExitCode);
  EXPECT_EQ(result.out, kStreamsOut);
  EXPECT_EQ(result.err, kStreamsErr);
  auto inspected = engine.inspectExec(result.execId);
  EXPECT_EQ(inspected.value("ExitCode", -1), kStreamsExitCode);
  EXPECT_FALSE(inspected.value("Running", true));
}

void execPassesStdin(Scene& scene) {
  auto& engine = scene.engine();
  std::string id = started(scene);
  std::string input = "first line\nsecond line\n" + std::string(100000, 'z');
  auto result = dockerapi::execCapture(engine, id, {kEchoInputCommand, {}, {}, {}}, input);
  EXPECT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(result.out, input);
}

void execNeedsARunningContainer(Scene& scene) {
  auto& engine = scene.engine();
  std::string id = scene.createIdle();
  auto created = errorOf([&] { dockerapi::execCapture(engine, id, {kStreamsCommand, {}, {}, {}}); });
  EXPECT_EQ(created.httpStatus(), 409);
  EXPECT_EQ(created.kind(), ErrorKind::NotRunning) << created.what();
  engine.startContainer(id);
  engine.pauseContainer(id);
  auto paused = errorOf([&] { dockerapi::execCapture(engine, id, {kStreamsCommand, {}, {}, {}}); });
  EXPECT_EQ(paused.httpStatus(), 409);
  EXPECT_EQ(paused.kind(), ErrorKind::NotRunning) << paused.what();
  engine.unpauseContainer(id);
  // An unknown program: the exec itself is created, and exits 126 or 127 (by engine version).
  auto missing = dockerapi::execCapture(engine, id, {{"agentchat-no-such-program"}, {}, {}, {}});
  EXPECT_TRUE(missing.exitCode == 126 || missing.exitCode == 127) << missing.exitCode;
}

void archiveRoundTripsThroughAVolume(Scene& scene) {
  auto& engine = scene.engine();
  std::string volume = scene.newVolumeName();
  engine.createVolume({volume, "local", {}, {}});
  // The archive endpoints work on a container that was never started.
  std::string id = scene.createIdle(volume);
  agentchat_test::FileTree tree;
  tree.write("greeting.txt", "hello");
  tree.write("sub/deeper/note.txt", std::string(3000, 'n'));
  engine.putArchive(id, "/data", base::bytesSource(tree.archive(".")));

  std::string tar;
  engine.getArchive(id, "/data/.", [&](std::string_view chunk) { tar.append(chunk); });
  std::map<std::string, std::string> expected{{"./greeting.txt", "hello"},
                                              {"./sub/deeper/note.txt", std::string(3000, 'n')}};
  EXPECT_EQ(filesOf(tar), expected);

  std::string single;
  auto stat =
      engine.getArchive(id, "/data/greeting.txt", [&](std::string_view chunk) { single.append(chunk); });
  EXPECT_EQ(filesOf(single), (std::map<std::string, std::string>{{"greeting.txt", "hello"}}));
  EXPECT_EQ(stat.name, "greeting.txt");
  EXPECT_EQ(stat.size, 5);
  EXPECT_FALSE(stat.isDir());
  EXPECT_TRUE(engine.statPath(id, "/data/sub").isDir());
}

void aMissingPathIsNotFound(Scene& scene) {
  auto& engine = scene.engine();
  std::string id = scene.createIdle();
  auto get = errorOf([&] { engine.getArchive(id, "/agentchat-no-such-path", [](std::string_view) {}); });
  EXPECT_EQ(get.kind(), ErrorKind::NotFound) << get.what();
  auto stat = errorOf([&] { engine.statPath(id, "/agentchat-no-such-path"); });
  EXPECT_EQ(stat.kind(), ErrorKind::NotFound) << stat.what();
  auto put = errorOf(
      [&] { engine.putArchive(id, "/agentchat-no-such-dir", base::bytesSource(std::string(1024, '\0'))); });
  EXPECT_EQ(put.kind(), ErrorKind::NotFound) << put.what();
}

void volumeLifecycle(Scene& scene) {
  auto& engine = scene.engine();
  std::string name = scene.newVolumeName();
  auto created = engine.createVolume({name, "local", {{"io.agentchat.contract", name}}, {}});
  EXPECT_EQ(created.name, name);
  EXPECT_EQ(created.driver, "local");
  EXPECT_EQ(engine.inspectVolume(name).labels.at("io.agentchat.contract"), name);
  auto listed = engine.listVolumes({{"label", {"io.agentchat.contract=" + name}}});
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed.front().name, name);
  // Creating it again answers the volume as it is.
  EXPECT_EQ(engine.createVolume({name, "local", {}, {}}).labels.at("io.agentchat.contract"), name);
  engine.removeVolume(name, false);
  auto gone = errorOf([&] { engine.inspectVolume(name); });
  EXPECT_EQ(gone.kind(), ErrorKind::NotFound) << gone.what();
  EXPECT_EQ(errorOf([&] { engine.removeVolume(name, false); }).kind(), ErrorKind::NotFound);
  EXPECT_TRUE(engine.listVolumes({{"label", {"io.agentchat.contract=" + name}}}).empty());
}

void aVolumeInUseIsNotRemoved(Scene& scene) {
  auto& engine = scene.engine();
  std::string name = scene.newVolumeName();
  engine.createVolume({name, "local", {}, {}});
  std::string id = scene.createIdle(name);
  auto inUse = errorOf([&] { engine.removeVolume(name, false); });
  EXPECT_EQ(inUse.kind(), ErrorKind::Conflict) << inUse.what();
  EXPECT_EQ(inUse.httpStatus(), 409);
  engine.removeContainer(id, true);
  engine.removeVolume(name, false);
  EXPECT_EQ(errorOf([&] { engine.inspectVolume(name); }).kind(), ErrorKind::NotFound);
}

}  // namespace engine_contract
