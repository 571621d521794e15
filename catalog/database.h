// The catalog's source of truth: products in SQLite (WAL mode, so readers run beside a
// writer). Connections are pooled, one leased per call, each with its prepared
// statements cached. Every query is timed into Metrics under its name.
//
// Errors: a failed statement throws DbError (the HTTP layer answers 503); a unique
// SKU taken by another product is not an error but WriteStatus::kConflict.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "catalog/product.h"

struct sqlite3;
struct sqlite3_stmt;

namespace minired::catalog {

class Metrics;

struct DbError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class SortOrder { kRank, kPrice, kNewest };
std::optional<SortOrder> ParseSortOrder(std::string_view s);
std::string_view SortName(SortOrder s);

// Where a keyset page starts: after the product with this sort value and id.
struct Cursor {
  int64_t value = 0;
  int64_t id = 0;
  std::string Encode() const;
  static std::optional<Cursor> Decode(std::string_view s);
  static Cursor After(const Product& p, SortOrder sort);
};

struct CategoryCount {
  std::string name;
  int64_t products = 0;
};

enum class WriteStatus { kOk, kNotFound, kConflict };

class Database {
 public:
  // Opens (creating the schema on first start); throws DbError when it cannot.
  Database(std::string path, Metrics* metrics);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Products of one category (or all, when empty) in `sort` order.
  std::vector<Product> Page(const std::string& category, SortOrder sort, int64_t limit, int64_t offset);
  std::vector<Product> PageAfter(const std::string& category, SortOrder sort, int64_t limit, const Cursor& after);
  int64_t Count(const std::string& category);
  std::optional<Product> Get(int64_t id);
  // The products of `ids` that exist, in no particular order.
  std::vector<Product> GetMany(const std::vector<int64_t>& ids);
  std::vector<CategoryCount> Categories();

  // Sets p->id, created_at and updated_at on success.
  WriteStatus Insert(Product* p);
  // Replaces the product `p.id` (created_at kept); sets updated_at.
  WriteStatus Update(Product* p);
  // The deleted product, or nullopt when there was none.
  std::optional<Product> Delete(int64_t id);

  // Adds view counts in one transaction; ids that no longer exist are skipped.
  void AddViews(const std::vector<std::pair<int64_t, int64_t>>& views);
  int64_t Views(int64_t id);
  // (id, views) of every product of a category: what a ranking is built from.
  std::vector<std::pair<int64_t, int64_t>> CategoryViews(const std::string& category);

  // For the seeder: inserts many products in one transaction (ids assigned).
  void InsertBatch(const std::vector<Product>& products);
  void DeleteAll();
  // For seeding: commits no longer wait for the disk (a crash mid-seed means seeding
  // again) and the page cache grows, which makes bulk inserts several times faster.
  void BulkLoadMode();
  int64_t MaxId();

  class Conn;

 private:
  struct Lease;
  Lease Acquire();
  void Release(std::unique_ptr<Conn> c);

  const std::string path_;
  Metrics* const metrics_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Conn>> idle_;  // guarded by mu_
};

}  // namespace minired::catalog
