#include "scheduler/dojo_mesh.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tatami {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

// A grid from a picture: '.' free, '#' taken.
MeshGrid Grid(const std::vector<std::string>& rows) {
  MeshGrid g(static_cast<int32_t>(rows[0].size()), static_cast<int32_t>(rows.size()));
  for (int32_t y = 0; y < g.height(); ++y)
    for (int32_t x = 0; x < g.width(); ++x) g.at(x, y).free = rows[y][x] == '.';
  g.Index();
  return g;
}

TEST(MeshGrid, RectFreeAndLargestFreeRect) {
  MeshGrid g = Grid({"..#...",  //
                     "..#...",  //
                     "......"});
  EXPECT_TRUE(g.RectFree(0, 0, 2, 3));
  EXPECT_FALSE(g.RectFree(1, 0, 2, 1));
  EXPECT_FALSE(g.RectFree(5, 0, 2, 1));  // off the mesh
  EXPECT_EQ(g.FreeTiles(), 16);
  EXPECT_EQ(g.LargestFreeRect(), 9);  // the 3x3 on the right
}

TEST(RectShapes, SquarestFirstWithinTheMesh) {
  EXPECT_THAT(RectShapes(6, 12, 10), ElementsAre(Pair(3, 2), Pair(2, 3), Pair(6, 1), Pair(1, 6)));
  EXPECT_THAT(RectShapes(24, 12, 4), ElementsAre(Pair(6, 4), Pair(8, 3), Pair(12, 2)));
  EXPECT_THAT(RectShapes(7, 3, 2), ElementsAre());
  EXPECT_THAT(RectShapes(1, 3, 2), ElementsAre(Pair(1, 1)));
}

TEST(FindTileRect, SixTilesGetATwoByThreeNeverAScatter) {
  // 7 tiles free but no 2x3/3x2/6x1/1x6 among them.
  std::vector<MeshGrid> grids{Grid({"..#..#",  //
                                    "#.#..#",  //
                                    "######"})};
  EXPECT_FALSE(FindTileRect(grids, 6, MeshStrategy::kFirstFit));
  EXPECT_FALSE(FindTileRect(grids, 6, MeshStrategy::kLeastFragmentation));
  grids = {Grid({"......",  //
                 "......"})};
  auto r = FindTileRect(grids, 6, MeshStrategy::kFirstFit);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->x, 0);
  EXPECT_EQ(r->y, 0);
  EXPECT_EQ(r->w * r->h, 6);
  EXPECT_TRUE((r->w == 3 && r->h == 2) || (r->w == 2 && r->h == 3));
}

TEST(FindTileRect, LeastFragmentationKeepsTheBigHoleWhole) {
  // A 2-tile job: first fit takes the top-left of the big free block; the
  // fragmentation-aware choice takes the 2x1 pocket and keeps the 4x2 free.
  std::vector<MeshGrid> grids{Grid({"....#..",  //
                                    "....###"})};
  auto first = FindTileRect(grids, 2, MeshStrategy::kFirstFit);
  auto least = FindTileRect(grids, 2, MeshStrategy::kLeastFragmentation);
  ASSERT_TRUE(first && least);
  EXPECT_EQ(first->x, 0);
  EXPECT_EQ(least->x, 5);
  EXPECT_EQ(least->y, 0);
}

TEST(FindTileRect, PrefersTheMeshWhereTheJobFitsTightly) {
  std::vector<MeshGrid> grids{Grid({"......", "......"}), Grid({"###...", "###..."})};
  auto least = FindTileRect(grids, 6, MeshStrategy::kLeastFragmentation);
  ASSERT_TRUE(least);
  EXPECT_EQ(least->grid, 1u);  // the half-used mesh; the empty one stays whole
  EXPECT_EQ(FindTileRect(grids, 6, MeshStrategy::kFirstFit)->grid, 0u);
}

NodeResources Tray(const std::string& name, int32_t mesh, int32_t x, int32_t y) {
  NodeResources n;
  n.name = name;
  n.accel_kind = AcceleratorKind::kD1;
  n.device_free.assign(6, true);
  n.fabric.mesh = mesh;
  n.fabric.tray_x = x;
  n.fabric.tray_y = y;
  return n;
}

TEST(BuildMeshGrids, TraysLandWhereTheFabricSays) {
  std::vector<NodeResources> nodes{Tray("t1", 0, 0, 0), Tray("t2", 0, 3, 0), Tray("lone", -1, 0, 0),
                                   Tray("t3", 0, 0, 2)};
  nodes[1].device_free[4] = false;  // tile 4 of t2 = (3 + 1, 0 + 1)
  auto first_three = [](size_t i) { return i < 3; };
  auto grids = BuildMeshGrids(nodes, first_three, false);
  ASSERT_EQ(grids.size(), 2u);
  const MeshGrid& g = grids[0];
  EXPECT_EQ(g.width(), 6);
  EXPECT_EQ(g.height(), 4);
  EXPECT_EQ(g.at(4, 1).node, 1);
  EXPECT_EQ(g.at(4, 1).device, 4u);
  EXPECT_FALSE(g.at(4, 1).free);
  EXPECT_TRUE(g.at(5, 1).free);
  EXPECT_FALSE(g.at(0, 2).free);  // t3 is not eligible
  EXPECT_FALSE(g.at(4, 3).free);  // no tray covers (4, 3)
  EXPECT_EQ(g.FreeTiles(), 11);
  EXPECT_EQ(grids[1].width(), 3);  // the lone tray is a mesh of its own
  EXPECT_EQ(grids[1].at(2, 1).node, 2);
  // ignore_usage: t2's busy tile counts as free.
  EXPECT_EQ(BuildMeshGrids(nodes, first_three, true)[0].FreeTiles(), 12);
}

}  // namespace
}  // namespace tatami
