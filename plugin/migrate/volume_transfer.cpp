#include "plugin/migrate/volume_transfer.hpp"

#include <exception>
#include <thread>

#include "dockerapi/helper_container.hpp"
#include "dockerapi/whole_archive.hpp"
#include "volumes/stream_pipe.hpp"

namespace agentchat {

std::uint64_t transferVolume(const VolumeEnd& from, const VolumeEnd& to, Progress::Part& shown) {
  auto source = dockerapi::HelperContainer::forVolume(from.engine, from.image, from.volume, true,
                                                      "migration of volume " + from.volume);
  auto target = dockerapi::HelperContainer::forVolume(to.engine, to.image, to.volume, false,
                                                      "migration of volume " + to.volume);
  volumes::StreamPipe pipe;
  std::thread download([&] {
    try {
      // "<mount>/." yields entries relative to the volume root, the same shape a backup part has.
      // A torn stream (a file shrank as it was read) fails the upload rather than landing as a whole.
      dockerapi::getWholeArchive(from.engine, source.id(),
                                 std::string(dockerapi::HelperContainer::kVolumeMount) + "/.",
                                 [&](std::string_view chunk) {
                                   pipe.write(chunk);
                                   shown.bytes += chunk.size();
                                 });
      pipe.close();
    } catch (const base::TarError& e) {
      pipe.fail(std::make_exception_ptr(base::TarError(
          "volume " + from.volume + ": the source engine's archive stream was torn (" + e.what() +
          "): a file shrank or vanished while it was read. Migrate with --consistency stop, or try again")));
    } catch (...) {
      pipe.fail(std::current_exception());
    }
  });
  try {
    // The source is the user's own engine, not an archive of unknown origin: its volumes may hold
    // absolute symlinks (that a restore of a stored part refuses), and they move as they are.
    to.engine.putArchive(target.id(), dockerapi::HelperContainer::kVolumeMount, pipe.source());
  } catch (...) {
    pipe.abandon();
    download.join();
    throw;
  }
  download.join();
  return shown.bytes;
}

}  // namespace agentchat
