#include "rpc/web_assets.hpp"

#include <cstddef>

namespace seedd::rpc {

// Defined in the file cmake/embed_assets.cmake generates from web/.
extern const WebAsset kWebAssets[];
extern const size_t kWebAssetCount;

const WebAsset* find_web_asset(std::string_view path) {
  for (size_t i = 0; i < kWebAssetCount; ++i)
    if (kWebAssets[i].path == path) return &kWebAssets[i];
  return nullptr;
}

}  // namespace seedd::rpc
