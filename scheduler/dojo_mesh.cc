#include "scheduler/dojo_mesh.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <tuple>

namespace tatami {

std::string_view MeshStrategyName(MeshStrategy s) {
  return s == MeshStrategy::kFirstFit ? "first-fit" : "least-fragmentation";
}

MeshGrid::MeshGrid(int32_t width, int32_t height)
    : width_(width), height_(height), cells_(static_cast<size_t>(width * height)) {
  Index();
}

void MeshGrid::Index() {
  prefix_.assign(static_cast<size_t>((width_ + 1) * (height_ + 1)), 0);
  for (int32_t y = 0; y < height_; ++y) {
    for (int32_t x = 0; x < width_; ++x) {
      prefix_[(y + 1) * (width_ + 1) + x + 1] = at(x, y).free + prefix_[y * (width_ + 1) + x + 1] +
                                                prefix_[(y + 1) * (width_ + 1) + x] -
                                                prefix_[y * (width_ + 1) + x];
    }
  }
}

int32_t MeshGrid::Sum(int32_t x, int32_t y, int32_t w, int32_t h) const {
  int32_t W = width_ + 1;
  return prefix_[(y + h) * W + x + w] - prefix_[y * W + x + w] - prefix_[(y + h) * W + x] +
         prefix_[y * W + x];
}

bool MeshGrid::RectFree(int32_t x, int32_t y, int32_t w, int32_t h) const {
  if (x < 0 || y < 0 || x + w > width_ || y + h > height_) return false;
  return Sum(x, y, w, h) == w * h;
}

int32_t MeshGrid::LargestFreeRect() const {
  // Row by row, the heights of free columns form a histogram; the largest
  // rectangle under each histogram (monotonic stack) is the answer.
  std::vector<int32_t> heights(static_cast<size_t>(width_) + 1, 0), stack;
  int32_t best = 0;
  for (int32_t y = 0; y < height_; ++y) {
    for (int32_t x = 0; x < width_; ++x) heights[x] = at(x, y).free ? heights[x] + 1 : 0;
    stack.clear();
    for (int32_t x = 0; x <= width_; ++x) {
      while (!stack.empty() && heights[stack.back()] >= heights[x]) {
        int32_t h = heights[stack.back()];
        stack.pop_back();
        int32_t left = stack.empty() ? -1 : stack.back();
        best = std::max(best, h * (x - left - 1));
      }
      stack.push_back(x);
    }
  }
  return best;
}

std::vector<std::pair<int32_t, int32_t>> RectShapes(uint32_t tiles, int32_t width, int32_t height) {
  std::vector<std::pair<int32_t, int32_t>> shapes;
  auto k = static_cast<int32_t>(tiles);
  for (int32_t w = 1; w <= k && w <= width; ++w) {
    if (k % w == 0 && k / w <= height) shapes.emplace_back(w, k / w);
  }
  std::sort(shapes.begin(), shapes.end(), [](const auto& a, const auto& b) {
    int32_t da = std::abs(a.first - a.second), db = std::abs(b.first - b.second);
    return da != db ? da < db : a.first > b.first;
  });
  return shapes;
}

namespace {

// Edges of the rectangle that touch a used tile, a hole or the mesh border:
// the more it hugs what is already taken, the less free space it splits.
int32_t Contact(const MeshGrid& g, const TileRect& r) {
  auto blocked = [&](int32_t x, int32_t y) {
    return x < 0 || y < 0 || x >= g.width() || y >= g.height() || !g.at(x, y).free;
  };
  int32_t c = 0;
  for (int32_t x = r.x; x < r.x + r.w; ++x) c += blocked(x, r.y - 1) + blocked(x, r.y + r.h);
  for (int32_t y = r.y; y < r.y + r.h; ++y) c += blocked(r.x - 1, y) + blocked(r.x + r.w, y);
  return c;
}

std::optional<TileRect> FirstFit(const std::vector<MeshGrid>& grids, uint32_t tiles) {
  for (size_t gi = 0; gi < grids.size(); ++gi) {
    const MeshGrid& g = grids[gi];
    if (g.FreeTiles() < static_cast<int32_t>(tiles)) continue;
    auto shapes = RectShapes(tiles, g.width(), g.height());
    for (int32_t y = 0; y < g.height(); ++y)
      for (int32_t x = 0; x < g.width(); ++x)
        for (auto [w, h] : shapes)
          if (g.RectFree(x, y, w, h)) return TileRect{gi, x, y, w, h};
  }
  return std::nullopt;
}

std::optional<TileRect> LeastFragmentation(const std::vector<MeshGrid>& grids, uint32_t tiles) {
  // Score = (largest free rectangle left anywhere, contact): higher is better.
  std::vector<int32_t> largest(grids.size());
  for (size_t gi = 0; gi < grids.size(); ++gi) largest[gi] = grids[gi].LargestFreeRect();
  std::optional<TileRect> best;
  std::tuple<int32_t, int32_t> best_score{-1, -1};
  for (size_t gi = 0; gi < grids.size(); ++gi) {
    if (largest[gi] < static_cast<int32_t>(tiles)) continue;  // no rectangle of k fits here
    int32_t elsewhere = 0;
    for (size_t o = 0; o < grids.size(); ++o)
      if (o != gi) elsewhere = std::max(elsewhere, largest[o]);
    MeshGrid trial = grids[gi];
    for (auto [w, h] : RectShapes(tiles, trial.width(), trial.height())) {
      for (int32_t y = 0; y + h <= trial.height(); ++y) {
        for (int32_t x = 0; x + w <= trial.width(); ++x) {
          if (!grids[gi].RectFree(x, y, w, h)) continue;
          TileRect r{gi, x, y, w, h};
          for (int32_t j = y; j < y + h; ++j)
            for (int32_t i = x; i < x + w; ++i) trial.at(i, j).free = false;
          std::tuple<int32_t, int32_t> score{std::max(elsewhere, trial.LargestFreeRect()),
                                             Contact(grids[gi], r)};
          for (int32_t j = y; j < y + h; ++j)
            for (int32_t i = x; i < x + w; ++i) trial.at(i, j).free = true;
          if (score > best_score) best_score = score, best = r;
        }
      }
    }
  }
  return best;
}

}  // namespace

std::optional<TileRect> FindTileRect(const std::vector<MeshGrid>& grids, uint32_t tiles,
                                     MeshStrategy strategy) {
  if (tiles == 0) return std::nullopt;
  return strategy == MeshStrategy::kFirstFit ? FirstFit(grids, tiles)
                                             : LeastFragmentation(grids, tiles);
}

std::vector<MeshGrid> BuildMeshGrids(const std::vector<NodeResources>& nodes,
                                     const std::function<bool(size_t)>& eligible,
                                     bool ignore_usage) {
  // One walk over every node finds the trays; the rest walks only them (a
  // site of 9,000 nodes has 200).
  std::vector<size_t> trays;
  std::map<int32_t, std::pair<int32_t, int32_t>> extent;  // mesh -> width, height
  for (size_t i = 0; i < nodes.size(); ++i) {
    const NodeResources& n = nodes[i];
    if (n.accel_kind != AcceleratorKind::kD1) continue;
    trays.push_back(i);
    if (n.fabric.mesh < 0) continue;
    auto& [w, h] = extent[n.fabric.mesh];
    w = std::max(w, n.fabric.tray_x + kTrayWidth);
    h = std::max(h, n.fabric.tray_y + kTrayHeight);
  }
  std::vector<MeshGrid> grids;
  std::map<int32_t, size_t> grid_of;
  for (const auto& [mesh, wh] : extent) {
    grid_of[mesh] = grids.size();
    grids.emplace_back(wh.first, wh.second);
  }
  for (size_t i : trays) {
    const NodeResources& n = nodes[i];
    bool usable = eligible(i);
    int32_t ox = 0, oy = 0;
    MeshGrid* g;
    if (n.fabric.mesh >= 0) {
      g = &grids[grid_of[n.fabric.mesh]];
      ox = n.fabric.tray_x;
      oy = n.fabric.tray_y;
    } else {
      // A lone tray: its tiles in rows of three.
      auto tiles = static_cast<int32_t>(n.DevicesTotal());
      g = &grids.emplace_back(std::min(tiles, kTrayWidth), (tiles + kTrayWidth - 1) / kTrayWidth);
    }
    for (uint32_t d = 0; d < n.DevicesTotal(); ++d) {
      int32_t x = ox + static_cast<int32_t>(d) % kTrayWidth;
      int32_t y = oy + static_cast<int32_t>(d) / kTrayWidth;
      if (x >= g->width() || y >= g->height()) continue;
      g->at(x, y) = {static_cast<int32_t>(i), d, usable && (ignore_usage || n.device_free[d])};
    }
  }
  for (auto& g : grids) g.Index();
  return grids;
}

}  // namespace tatami
