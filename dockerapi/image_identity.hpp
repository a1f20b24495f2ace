#pragma once
// Whether two engines hold the same image. Ids alone cannot say: the classic image store's Id is
// the config digest, the containerd image store's (Engine 29's default) the digest of the manifest
// or index the image was pulled by, so one image has two Ids. A differing Id across engines is
// therefore "unknown", never "different"; only content that differs proves a difference.
#include <string>

#include "dockerapi/types.hpp"

namespace dockerapi {

enum class ImageMatch { Same, Different, Unknown };

struct ImageComparison {
  ImageMatch match = ImageMatch::Unknown;
  std::string reason;  // for messages: what decided it
};

// Same: a digest in common (Ids and RepoDigests are content addresses, whatever the store).
// Different: another platform, or other filesystem layers (RootFS diff ids are store-independent).
// Unknown otherwise, e.g. same layers under different Ids, which is one image in two kinds of store
// or two images whose configs differ.
ImageComparison compareImages(const ImageInfo& a, const ImageInfo& b);

}  // namespace dockerapi
