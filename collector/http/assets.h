// The dashboard's static files, compiled into llmtapd from web/ (see cmake/embed_assets.cmake).
#ifndef LLMTAP_COLLECTOR_HTTP_ASSETS_H_
#define LLMTAP_COLLECTOR_HTTP_ASSETS_H_

#include <string_view>

namespace llmtap::collector {

struct Asset {
  std::string_view path;  // URL path, e.g. "/index.html".
  std::string_view content_type;
  std::string_view body;
};

// The asset served at `path`, or nullptr.
const Asset* FindAsset(std::string_view path);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_HTTP_ASSETS_H_
