#include "dockerapi/image_identity.hpp"

#include <set>

namespace dockerapi {

namespace {

// "sha256:..." from an Id or from "mysql@sha256:...".
std::set<std::string> digestsOf(const ImageInfo& image) {
  std::set<std::string> out;
  if (!image.id.empty()) out.insert(image.id);
  for (const auto& repoDigest : image.repoDigests) {
    auto at = repoDigest.find('@');
    if (at != std::string::npos) out.insert(repoDigest.substr(at + 1));
  }
  return out;
}

std::string platformOf(const ImageInfo& image) {
  return image.os + "/" + image.architecture + (image.variant.empty() ? "" : "/" + image.variant);
}

}  // namespace

ImageComparison compareImages(const ImageInfo& a, const ImageInfo& b) {
  auto ours = digestsOf(a);
  for (const auto& digest : digestsOf(b)) {
    if (ours.count(digest)) return {ImageMatch::Same, "both have " + digest};
  }
  if (!a.architecture.empty() && !b.architecture.empty() && platformOf(a) != platformOf(b)) {
    return {ImageMatch::Different, "built for " + platformOf(a) + " and " + platformOf(b)};
  }
  if (!a.layers.empty() && !b.layers.empty() && a.layers != b.layers) {
    return {ImageMatch::Different, "their filesystem layers differ"};
  }
  return {ImageMatch::Unknown, a.layers.empty() || b.layers.empty()
                                   ? "no digest in common and no layers to compare"
                                   : "the same layers under different ids (the classic and the containerd "
                                     "image store name one image differently)"};
}

}  // namespace dockerapi
