#include "scheduler/accounts.h"

#include <gtest/gtest.h>

namespace tatami {
namespace {

constexpr AcceleratorKind kH100 = AcceleratorKind::kH100;

AccountConfig Account(const std::string& name, const std::string& parent = "", uint32_t shares = 1,
                      uint32_t h100_quota = 0, int64_t h100_borrow = kNoBorrowLimit) {
  AccountConfig a;
  a.name = name;
  a.parent = parent;
  a.shares = shares;
  a.quota[size_t(kH100)] = h100_quota;
  a.borrow[size_t(kH100)] = h100_borrow;
  return a;
}

TEST(AccountTree, NormalizedSharesMultiplyDownTheTree) {
  // Children before their parent, as a config may list them.
  AccountTree tree({Account("vision", "fsd", 3), Account("planning", "fsd", 1),
                    Account("fsd", "", 3), Account("acme", "", 1)});
  EXPECT_DOUBLE_EQ(tree.NormalizedShares(tree.Find("fsd")), 0.75);
  EXPECT_DOUBLE_EQ(tree.NormalizedShares(tree.Find("acme")), 0.25);
  EXPECT_DOUBLE_EQ(tree.NormalizedShares(tree.Find("vision")), 0.75 * 0.75);
  EXPECT_DOUBLE_EQ(tree.NormalizedShares(tree.Find("planning")), 0.75 * 0.25);
  EXPECT_EQ(tree.Find("nobody"), kNoAccount);
  EXPECT_EQ(tree.Find(""), kNoAccount);
  // A trace account the config lacks joins the top level with one share.
  uint32_t vc = tree.Add("vc-1");
  EXPECT_EQ(tree.Add("vc-1"), vc);
  EXPECT_DOUBLE_EQ(tree.NormalizedShares(tree.Find("acme")), 0.2);
  EXPECT_DOUBLE_EQ(tree.NormalizedShares(vc), 0.2);
  EXPECT_FALSE(tree.HasQuotas());
}

TEST(QuotaBooks, WithinQuotaThenBorrowingThenOverTheBorrowLimit) {
  auto tree = std::make_shared<AccountTree>(
      std::vector<AccountConfig>{Account("acme", "", 1, /*quota*/ 8, /*borrow*/ 4)});
  QuotaBooks books(tree);
  uint32_t acme = tree->Find("acme");
  EXPECT_EQ(books.Check(acme, kH100, 8), QuotaFit::kWithinQuota);
  EXPECT_EQ(books.Check(acme, kH100, 9), QuotaFit::kBorrowing);
  EXPECT_EQ(books.Check(acme, kH100, 12), QuotaFit::kBorrowing);
  EXPECT_EQ(books.Check(acme, kH100, 13), QuotaFit::kOverLimit);
  books.Charge(acme, kH100, 6);
  EXPECT_EQ(books.Check(acme, kH100, 2), QuotaFit::kWithinQuota);
  EXPECT_EQ(books.Check(acme, kH100, 3), QuotaFit::kBorrowing);
  EXPECT_EQ(books.Check(acme, kH100, 7), QuotaFit::kOverLimit);
  books.Charge(acme, kH100, -6);
  EXPECT_EQ(books.InUse(acme, kH100), 0u);
  // No quota for a kind: borrowing, unlimited.
  EXPECT_EQ(books.Check(acme, AcceleratorKind::kD1, 100), QuotaFit::kBorrowing);
  // No account, or no accounts at all: borrowing.
  EXPECT_EQ(books.Check(kNoAccount, kH100, 1), QuotaFit::kBorrowing);
  EXPECT_EQ(QuotaBooks().Check(0, kH100, 1), QuotaFit::kBorrowing);
}

TEST(QuotaBooks, ChildrenCountAgainstTheirAncestorsQuotaAndLimit) {
  auto tree = std::make_shared<AccountTree>(
      std::vector<AccountConfig>{Account("fsd", "", 1, /*quota*/ 16, /*borrow*/ 0),
                                 Account("vision", "fsd", 1, 8), Account("planning", "fsd")});
  QuotaBooks books(tree);
  uint32_t vision = tree->Find("vision"), planning = tree->Find("planning");
  // planning has no quota of its own: fsd's guarantees it.
  EXPECT_EQ(books.Check(planning, kH100, 10), QuotaFit::kWithinQuota);
  books.Charge(planning, kH100, 10);
  EXPECT_EQ(books.InUse(tree->Find("fsd"), kH100), 10u);
  // vision's own quota (8) has room for 6, but fsd's (16) only for 6 too.
  EXPECT_EQ(books.Check(vision, kH100, 6), QuotaFit::kWithinQuota);
  // 7 passes fsd's quota, and fsd may not borrow at all.
  EXPECT_EQ(books.Check(vision, kH100, 7), QuotaFit::kOverLimit);
}

TEST(QuotaDemand, CountsDevicesOfTheRequestedKind) {
  ResourceRequest gpus;
  gpus.accel_kind = "gpu";
  gpus.accel_per_node = 4;
  gpus.nodes = 2;
  EXPECT_EQ(QuotaDemand(gpus), std::make_pair(kH100, 8u));
  ResourceRequest tiles;
  tiles.accel_kind = "d1";
  tiles.tiles = 3;
  EXPECT_EQ(QuotaDemand(tiles), std::make_pair(AcceleratorKind::kD1, 3u));
  EXPECT_EQ(QuotaDemand(ResourceRequest{}), std::make_pair(AcceleratorKind::kNone, 0u));
}

}  // namespace
}  // namespace tatami
