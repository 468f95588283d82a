// The agent desktop's page, embedded into the server at build time
// (embed_assets.cmake writes the definitions).

#ifndef MOTIVE_EXAMPLES_DESKTOP_DESKTOP_ASSETS_H_
#define MOTIVE_EXAMPLES_DESKTOP_DESKTOP_ASSETS_H_

#include <cstddef>
#include <string_view>

namespace motive::desktop {

struct Asset {
  std::string_view path;          // where it is served: "/", "/desktop.js"
  std::string_view content_type;  // "text/html; charset=utf-8"
  std::string_view body;
};

extern const Asset kAssets[];
extern const size_t kAssetCount;

}  // namespace motive::desktop

#endif  // MOTIVE_EXAMPLES_DESKTOP_DESKTOP_ASSETS_H_
