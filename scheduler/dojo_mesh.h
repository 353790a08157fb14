// Contiguous rectangles of free Dojo tiles. A job of k tiles gets a w x h
// rectangle (w * h == k) on one 2D mesh: tiles talk at full speed only to
// their mesh neighbours, so a scattered allocation is never offered; the job
// waits instead.
//
// MeshGrids are plain values built per placement from the nodes' free
// devices; nothing here is shared or locked.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "scheduler/resources.h"

namespace tatami {

// Which rectangle a placement picks when several fit.
enum class MeshStrategy {
  kFirstFit,            // first free rectangle, meshes in order, rows top-down
  kLeastFragmentation,  // keep the largest free rectangle as large as possible
};
std::string_view MeshStrategyName(MeshStrategy s);

// One mesh's tiles: which (node, device) each cell is, and whether it is free
// for the request at hand. Cells no tray covers are never free.
class MeshGrid {
 public:
  struct Cell {
    int32_t node = -1;  // index into the nodes the grid was built from
    uint32_t device = 0;
    bool free = false;
  };
  MeshGrid(int32_t width, int32_t height);

  int32_t width() const { return width_; }
  int32_t height() const { return height_; }
  Cell& at(int32_t x, int32_t y) { return cells_[y * width_ + x]; }
  const Cell& at(int32_t x, int32_t y) const { return cells_[y * width_ + x]; }

  // Call after the last change to `free`, before RectFree/FreeTiles.
  void Index();
  bool RectFree(int32_t x, int32_t y, int32_t w, int32_t h) const;
  int32_t FreeTiles() const { return Sum(0, 0, width_, height_); }
  // Area of the largest all-free rectangle (O(width * height)).
  int32_t LargestFreeRect() const;

 private:
  int32_t Sum(int32_t x, int32_t y, int32_t w, int32_t h) const;
  int32_t width_, height_;
  std::vector<Cell> cells_;
  std::vector<int32_t> prefix_;  // (width+1) x (height+1) summed-area table of free cells
};

// Rectangle shapes (w, h) for `tiles` that fit a width x height mesh,
// squarest first (shorter paths), wider first among equals.
std::vector<std::pair<int32_t, int32_t>> RectShapes(uint32_t tiles, int32_t width, int32_t height);

struct TileRect {
  size_t grid = 0;  // index into the grids searched
  int32_t x = 0, y = 0, w = 0, h = 0;
};

// The rectangle `strategy` picks for `tiles` tiles, or none.
std::optional<TileRect> FindTileRect(const std::vector<MeshGrid>& grids, uint32_t tiles,
                                     MeshStrategy strategy);

// Grids for every Dojo mesh among `nodes` (a tray on no configured mesh forms
// a 3 x 2 grid of its own). A tile is free when its node is `eligible`
// (asked once per tray, by index into `nodes`) and the device is free, or,
// with `ignore_usage`, whenever its node is eligible.
std::vector<MeshGrid> BuildMeshGrids(const std::vector<NodeResources>& nodes,
                                     const std::function<bool(size_t)>& eligible,
                                     bool ignore_usage);

}  // namespace tatami
