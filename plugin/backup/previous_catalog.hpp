#pragma once
// The catalog a part's previous backup left beside it (a volume's, a bucket's): the next backup
// reuses the chunks it names instead of reading the data again.
#include <optional>
#include <string>

#include "volumes/repository.hpp"

namespace agentchat {

struct PreviousCatalog {
  std::string id, file, sha256;
};

// The newest complete backup whose manifest details[section][part] names PART.catalog, with that
// file's sha256; the part must be chunked there.
std::optional<PreviousCatalog> previousCatalog(const volumes::Repository& repository,
                                               const std::string& project, const std::string& part,
                                               const std::string& section);

// Its bytes against the manifest's sha256: a catalog decides which chunks a new backup reuses.
bool catalogIntact(const volumes::Repository& repository, const std::string& project,
                   const PreviousCatalog& c);

}  // namespace agentchat
