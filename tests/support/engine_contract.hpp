#pragma once
// What the flows rely on from an engine, as one set of test bodies run against the fake engine
// (tests/unit/engine_contract_fake_test.cpp) and the real one (tests/e2e/engine_contract_test.cpp),
// so the fake cannot drift from the engine it stands in for.
#include <gtest/gtest.h>

#include <string>

#include "dockerapi/engine.hpp"

namespace engine_contract {

// The commands the exec cases run: a real shell runs them; the fake's handlers answer them.
inline const std::vector<std::string> kStreamsCommand = {"sh", "-c",
                                                         "printf to-out; printf to-err >&2; exit 3"};
inline const std::vector<std::string> kEchoInputCommand = {"cat"};
inline constexpr const char* kStreamsOut = "to-out";
inline constexpr const char* kStreamsErr = "to-err";
inline constexpr int kStreamsExitCode = 3;

// An engine with what each case needs; everything it creates goes at the end of the test.
class Scene {
 public:
  virtual ~Scene() = default;
  virtual dockerapi::Engine& engine() = 0;
  // A created (not started) container whose process idles until removed, with `volume` (when
  // given) mounted at /data; it has a shell and `cat`, and no healthcheck.
  virtual std::string createIdle(const std::string& volume = {}) = 0;
  // A name no volume has yet; the volume of that name is removed at the end.
  virtual std::string newVolumeName() = 0;
};

void startingARunningContainerIsANoOp(Scene& scene);
void stoppingAStoppedContainerIsANoOp(Scene& scene);
void removingARunningContainerNeedsForce(Scene& scene);
void anUnknownContainerIsNotFound(Scene& scene);
void pauseAndUnpauseShowInInspect(Scene& scene);
void aContainerWithoutHealthcheckHasNoHealth(Scene& scene);
void execReportsExitCodeAndSeparatesStreams(Scene& scene);
void execPassesStdin(Scene& scene);
void execNeedsARunningContainer(Scene& scene);
void archiveRoundTripsThroughAVolume(Scene& scene);
void aMissingPathIsNotFound(Scene& scene);
void volumeLifecycle(Scene& scene);
void aVolumeInUseIsNotRemoved(Scene& scene);

}  // namespace engine_contract

// Instantiates every case for `Fixture`, a ::testing::Test with a `scene()` returning a Scene&.
#define ENGINE_CONTRACT_CASE(Fixture, Case, function) \
  TEST_F(Fixture, Case) {                             \
    engine_contract::function(scene());               \
  }
#define ENGINE_CONTRACT_TESTS(Fixture)                                                                    \
  ENGINE_CONTRACT_CASE(Fixture, StartingARunningContainerIsANoOp, startingARunningContainerIsANoOp)       \
  ENGINE_CONTRACT_CASE(Fixture, StoppingAStoppedContainerIsANoOp, stoppingAStoppedContainerIsANoOp)       \
  ENGINE_CONTRACT_CASE(Fixture, RemovingARunningContainerNeedsForce, removingARunningContainerNeedsForce) \
  ENGINE_CONTRACT_CASE(Fixture, AnUnknownContainerIsNotFound, anUnknownContainerIsNotFound)               \
  ENGINE_CONTRACT_CASE(Fixture, PauseAndUnpauseShowInInspect, pauseAndUnpauseShowInInspect)               \
  ENGINE_CONTRACT_CASE(Fixture, AContainerWithoutHealthcheckHasNoHealth,                                  \
                       aContainerWithoutHealthcheckHasNoHealth)                                           \
  ENGINE_CONTRACT_CASE(Fixture, ExecReportsExitCodeAndSeparatesStreams,                                   \
                       execReportsExitCodeAndSeparatesStreams)                                            \
  ENGINE_CONTRACT_CASE(Fixture, ExecPassesStdin, execPassesStdin)                                         \
  ENGINE_CONTRACT_CASE(Fixture, ExecNeedsARunningContainer, execNeedsARunningContainer)                   \
  ENGINE_CONTRACT_CASE(Fixture, ArchiveRoundTripsThroughAVolume, archiveRoundTripsThroughAVolume)         \
  ENGINE_CONTRACT_CASE(Fixture, AMissingPathIsNotFound, aMissingPathIsNotFound)                           \
  ENGINE_CONTRACT_CASE(Fixture, VolumeLifecycle, volumeLifecycle)                                         \
  ENGINE_CONTRACT_CASE(Fixture, AVolumeInUseIsNotRemoved, aVolumeInUseIsNotRemoved)
