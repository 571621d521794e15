#include "catalog/database.h"

#include <sqlite3.h>

#include <charconv>
#include <chrono>
#include <ctime>
#include <unordered_map>

#include "catalog/metrics.h"

namespace minired::catalog {
namespace {

constexpr const char* kSchema = R"sql(
PRAGMA journal_mode=WAL;
CREATE TABLE IF NOT EXISTS products (
  id INTEGER PRIMARY KEY,
  sku TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  category TEXT NOT NULL,
  brand TEXT NOT NULL,
  price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
  image_url TEXT NOT NULL,
  stock INTEGER NOT NULL CHECK (stock >= 0),
  rank INTEGER NOT NULL,
  views INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS products_rank ON products (rank, id);
CREATE INDEX IF NOT EXISTS products_price ON products (price_cents, id);
CREATE INDEX IF NOT EXISTS products_newest ON products (created_at, id);
CREATE INDEX IF NOT EXISTS products_category_rank ON products (category, rank, id);
CREATE INDEX IF NOT EXISTS products_category_price ON products (category, price_cents, id);
CREATE INDEX IF NOT EXISTS products_category_newest ON products (category, created_at, id);
)sql";

constexpr const char* kColumns =
    "id, sku, name, category, brand, price_cents, image_url, stock, rank, created_at, updated_at";

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

// ORDER BY and the keyset condition of each sort; newest runs backwards.
struct SortSql {
  const char* column;
  const char* order;
  const char* after;
};
SortSql SqlFor(SortOrder s) {
  switch (s) {
    case SortOrder::kRank: return {"rank", "rank, id", "(rank, id) > (?, ?)"};
    case SortOrder::kPrice: return {"price_cents", "price_cents, id", "(price_cents, id) > (?, ?)"};
    case SortOrder::kNewest: return {"created_at", "created_at DESC, id DESC", "(created_at, id) < (?, ?)"};
  }
  return {"rank", "rank, id", "(rank, id) > (?, ?)"};
}

}  // namespace

std::optional<SortOrder> ParseSortOrder(std::string_view s) {
  if (s == "rank") return SortOrder::kRank;
  if (s == "price") return SortOrder::kPrice;
  if (s == "newest") return SortOrder::kNewest;
  return std::nullopt;
}

std::string_view SortName(SortOrder s) {
  switch (s) {
    case SortOrder::kRank: return "rank";
    case SortOrder::kPrice: return "price";
    case SortOrder::kNewest: return "newest";
  }
  return "rank";
}

std::string Cursor::Encode() const { return std::to_string(value) + "_" + std::to_string(id); }

std::optional<Cursor> Cursor::Decode(std::string_view s) {
  size_t sep = s.find('_');
  if (sep == std::string_view::npos) return std::nullopt;
  Cursor c;
  auto parse = [](std::string_view part, int64_t* out) {
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), *out);
    return !part.empty() && ec == std::errc() && p == part.data() + part.size();
  };
  if (!parse(s.substr(0, sep), &c.value) || !parse(s.substr(sep + 1), &c.id)) return std::nullopt;
  return c;
}

Cursor Cursor::After(const Product& p, SortOrder sort) {
  switch (sort) {
    case SortOrder::kRank: return {p.rank, p.id};
    case SortOrder::kPrice: return {p.price_cents, p.id};
    case SortOrder::kNewest: return {p.created_at, p.id};
  }
  return {p.rank, p.id};
}

// A cached statement in use; reset when the call is done with it. A statement left
// mid-way (one row read of several) would hold its read transaction open, and every
// later query on that connection would see the database as it was then.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* st) : st_(st) {}
  ~Statement() { sqlite3_reset(st_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  operator sqlite3_stmt*() const { return st_; }

 private:
  sqlite3_stmt* st_;
};

// One SQLite connection and its prepared statements.
class Database::Conn {
 public:
  explicit Conn(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw DbError("cannot open database " + path + ": " + msg);
    }
    sqlite3_busy_timeout(db_, 5000);
    Exec("PRAGMA synchronous=NORMAL");
  }
  ~Conn() {
    for (auto& [sql, st] : statements_) sqlite3_finalize(st);
    sqlite3_close(db_);
  }

  void Exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      throw DbError(msg);
    }
  }

  // A cached statement, reset and with its bindings cleared.
  sqlite3_stmt* Lookup(const std::string& sql) {
    auto it = statements_.find(sql);
    if (it != statements_.end()) {
      sqlite3_reset(it->second);
      sqlite3_clear_bindings(it->second);
      return it->second;
    }
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK) {
      throw DbError(std::string("prepare failed: ") + sqlite3_errmsg(db_));
    }
    statements_.emplace(sql, st);
    return st;
  }
  Statement Prepare(const std::string& sql) { return Statement(Lookup(sql)); }

  // Steps once: true with a row, false when done; throws on errors other than a
  // constraint (reported through *constraint when given).
  bool Step(sqlite3_stmt* st, bool* constraint = nullptr) {
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    if (constraint != nullptr && (rc & 0xff) == SQLITE_CONSTRAINT) {
      *constraint = true;
      return false;
    }
    throw DbError(std::string("query failed: ") + sqlite3_errmsg(db_));
  }

  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

struct Database::Lease {
  Database* owner;
  std::unique_ptr<Conn> conn;
  Lease(Database* o, std::unique_ptr<Conn> c) : owner(o), conn(std::move(c)) {}
  Lease(Lease&&) = default;
  ~Lease() {
    if (conn) owner->Release(std::move(conn));
  }
  Conn* operator->() { return conn.get(); }
};

namespace {

void Bind(sqlite3_stmt* st, int i, int64_t v) { sqlite3_bind_int64(st, i, v); }
void Bind(sqlite3_stmt* st, int i, const std::string& v) {
  sqlite3_bind_text(st, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

std::string Text(sqlite3_stmt* st, int col) {
  const unsigned char* p = sqlite3_column_text(st, col);
  return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(st, col)) : std::string();
}

// Binds the fields a client may set, as parameters 1..8 in column order (sku, name,
// category, brand, price_cents, image_url, stock, rank).
void BindFields(sqlite3_stmt* st, const Product& p) {
  Bind(st, 1, p.sku);
  Bind(st, 2, p.name);
  Bind(st, 3, p.category);
  Bind(st, 4, p.brand);
  Bind(st, 5, p.price_cents);
  Bind(st, 6, p.image_url);
  Bind(st, 7, p.stock);
  Bind(st, 8, p.rank);
}

Product ReadProduct(sqlite3_stmt* st) {
  Product p;
  p.id = sqlite3_column_int64(st, 0);
  p.sku = Text(st, 1);
  p.name = Text(st, 2);
  p.category = Text(st, 3);
  p.brand = Text(st, 4);
  p.price_cents = sqlite3_column_int64(st, 5);
  p.image_url = Text(st, 6);
  p.stock = sqlite3_column_int64(st, 7);
  p.rank = sqlite3_column_int64(st, 8);
  p.created_at = sqlite3_column_int64(st, 9);
  p.updated_at = sqlite3_column_int64(st, 10);
  return p;
}

// Times one query into the metrics, failed or not.
class QueryTimer {
 public:
  QueryTimer(Metrics* m, const char* name) : m_(m), name_(name), start_(std::chrono::steady_clock::now()) {}
  ~QueryTimer() {
    if (m_ == nullptr) return;
    m_->ObserveDbQuery(name_, std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(),
                       std::uncaught_exceptions() == 0);
  }

 private:
  Metrics* m_;
  const char* name_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

Database::Database(std::string path, Metrics* metrics) : path_(std::move(path)), metrics_(metrics) {
  auto conn = std::make_unique<Conn>(path_);
  conn->Exec(kSchema);
  Release(std::move(conn));
}

Database::~Database() = default;

Database::Lease Database::Acquire() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(c));
    }
  }
  return Lease(this, std::make_unique<Conn>(path_));
}

void Database::Release(std::unique_ptr<Conn> c) {
  std::lock_guard<std::mutex> l(mu_);
  idle_.push_back(std::move(c));
}

std::vector<Product> Database::Page(const std::string& category, SortOrder sort, int64_t limit, int64_t offset) {
  QueryTimer t(metrics_, "page");
  Lease c = Acquire();
  // A deferred join: the OFFSET walks the (category,) sort-key, id index only, and
  // just the page's rows are read; a deep page of 500,000 products would otherwise
  // read every row before it.
  const char* order = SqlFor(sort).order;
  std::string sql = std::string("SELECT ") + kColumns + " FROM products WHERE id IN (SELECT id FROM products" +
                    (category.empty() ? "" : " WHERE category = ?") + " ORDER BY " + order +
                    " LIMIT ? OFFSET ?) ORDER BY " + order;
  Statement st = c->Prepare(sql);
  int i = 1;
  if (!category.empty()) Bind(st, i++, category);
  Bind(st, i++, limit);
  Bind(st, i++, offset);
  std::vector<Product> out;
  while (c->Step(st)) out.push_back(ReadProduct(st));
  return out;
}

std::vector<Product> Database::PageAfter(const std::string& category, SortOrder sort, int64_t limit,
                                         const Cursor& after) {
  QueryTimer t(metrics_, "page_after");
  Lease c = Acquire();
  SortSql s = SqlFor(sort);
  std::string sql = std::string("SELECT ") + kColumns + " FROM products WHERE " +
                    (category.empty() ? "" : "category = ? AND ") + s.after + " ORDER BY " + s.order + " LIMIT ?";
  Statement st = c->Prepare(sql);
  int i = 1;
  if (!category.empty()) Bind(st, i++, category);
  Bind(st, i++, after.value);
  Bind(st, i++, after.id);
  Bind(st, i++, limit);
  std::vector<Product> out;
  while (c->Step(st)) out.push_back(ReadProduct(st));
  return out;
}

int64_t Database::Count(const std::string& category) {
  QueryTimer t(metrics_, "count");
  Lease c = Acquire();
  Statement st = c->Prepare(category.empty() ? "SELECT COUNT(*) FROM products"
                                                 : "SELECT COUNT(*) FROM products WHERE category = ?");
  if (!category.empty()) Bind(st, 1, category);
  c->Step(st);
  return sqlite3_column_int64(st, 0);
}

std::optional<Product> Database::Get(int64_t id) {
  QueryTimer t(metrics_, "get");
  Lease c = Acquire();
  Statement st = c->Prepare(std::string("SELECT ") + kColumns + " FROM products WHERE id = ?");
  Bind(st, 1, id);
  if (!c->Step(st)) return std::nullopt;
  return ReadProduct(st);
}

std::vector<Product> Database::GetMany(const std::vector<int64_t>& ids) {
  QueryTimer t(metrics_, "get_many");
  Lease c = Acquire();
  std::string sql = std::string("SELECT ") + kColumns + " FROM products WHERE id IN (";
  for (size_t i = 0; i < ids.size(); ++i) sql += i ? ",?" : "?";
  sql += ")";
  // Not cached: the statement's text depends on how many ids there are.
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(c->handle(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    throw DbError(std::string("prepare failed: ") + sqlite3_errmsg(c->handle()));
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> st(raw, sqlite3_finalize);
  for (size_t i = 0; i < ids.size(); ++i) Bind(st.get(), static_cast<int>(i + 1), ids[i]);
  std::vector<Product> out;
  while (c->Step(st.get())) out.push_back(ReadProduct(st.get()));
  return out;
}

std::vector<CategoryCount> Database::Categories() {
  QueryTimer t(metrics_, "categories");
  Lease c = Acquire();
  Statement st = c->Prepare("SELECT category, COUNT(*) FROM products GROUP BY category ORDER BY category");
  std::vector<CategoryCount> out;
  while (c->Step(st)) out.push_back(CategoryCount{Text(st, 0), sqlite3_column_int64(st, 1)});
  return out;
}

WriteStatus Database::Insert(Product* p) {
  QueryTimer t(metrics_, "insert");
  Lease c = Acquire();
  Statement st = c->Prepare(
      "INSERT INTO products (sku, name, category, brand, price_cents, image_url, stock, rank, created_at, "
      "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  p->created_at = p->updated_at = Now();
  if (p->rank == 0) p->rank = 1'000'000'000;  // new products start last until ranked
  BindFields(st, *p);
  Bind(st, 9, p->created_at);
  Bind(st, 10, p->updated_at);
  bool conflict = false;
  c->Step(st, &conflict);
  if (conflict) return WriteStatus::kConflict;
  p->id = sqlite3_last_insert_rowid(c->handle());
  return WriteStatus::kOk;
}

WriteStatus Database::Update(Product* p) {
  QueryTimer t(metrics_, "update");
  Lease c = Acquire();
  Statement st = c->Prepare(
      "UPDATE products SET sku = ?, name = ?, category = ?, brand = ?, price_cents = ?, image_url = ?, stock = ?, "
      "rank = ?, updated_at = ? WHERE id = ? RETURNING created_at");
  p->updated_at = Now();
  BindFields(st, *p);
  Bind(st, 9, p->updated_at);
  Bind(st, 10, p->id);
  bool conflict = false;
  bool row = c->Step(st, &conflict);
  if (conflict) return WriteStatus::kConflict;
  if (!row) return WriteStatus::kNotFound;
  p->created_at = sqlite3_column_int64(st, 0);
  while (c->Step(st)) {
  }
  return WriteStatus::kOk;
}

std::optional<Product> Database::Delete(int64_t id) {
  QueryTimer t(metrics_, "delete");
  Lease c = Acquire();
  Statement st = c->Prepare(std::string("DELETE FROM products WHERE id = ? RETURNING ") + kColumns);
  Bind(st, 1, id);
  if (!c->Step(st)) return std::nullopt;
  Product p = ReadProduct(st);
  while (c->Step(st)) {
  }
  return p;
}

void Database::AddViews(const std::vector<std::pair<int64_t, int64_t>>& views) {
  QueryTimer t(metrics_, "add_views");
  Lease c = Acquire();
  c->Exec("BEGIN IMMEDIATE");
  try {
    Statement st = c->Prepare("UPDATE products SET views = views + ? WHERE id = ?");
    for (const auto& [id, n] : views) {
      sqlite3_reset(st);
      Bind(st, 1, n);
      Bind(st, 2, id);
      c->Step(st);
    }
    c->Exec("COMMIT");
  } catch (...) {
    sqlite3_exec(c->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

int64_t Database::Views(int64_t id) {
  QueryTimer t(metrics_, "views");
  Lease c = Acquire();
  Statement st = c->Prepare("SELECT views FROM products WHERE id = ?");
  Bind(st, 1, id);
  return c->Step(st) ? sqlite3_column_int64(st, 0) : -1;
}

std::vector<std::pair<int64_t, int64_t>> Database::CategoryViews(const std::string& category) {
  QueryTimer t(metrics_, "category_views");
  Lease c = Acquire();
  Statement st = c->Prepare("SELECT id, views FROM products WHERE category = ?");
  Bind(st, 1, category);
  std::vector<std::pair<int64_t, int64_t>> out;
  while (c->Step(st)) out.emplace_back(sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
  return out;
}

void Database::InsertBatch(const std::vector<Product>& products) {
  Lease c = Acquire();
  c->Exec("BEGIN IMMEDIATE");
  try {
    Statement st = c->Prepare(
        "INSERT INTO products (sku, name, category, brand, price_cents, image_url, stock, rank, views, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)");
    for (const Product& p : products) {
      sqlite3_reset(st);
      BindFields(st, p);
      Bind(st, 9, p.created_at);
      Bind(st, 10, p.updated_at);
      c->Step(st);
    }
    c->Exec("COMMIT");
  } catch (...) {
    sqlite3_exec(c->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void Database::BulkLoadMode() {
  Lease c = Acquire();
  c->Exec("PRAGMA synchronous=OFF");
  c->Exec("PRAGMA cache_size=-262144");  // 256 MB
}

void Database::DeleteAll() {
  Lease c = Acquire();
  c->Exec("DELETE FROM products");
}

int64_t Database::MaxId() {
  Lease c = Acquire();
  Statement st = c->Prepare("SELECT COALESCE(MAX(id), 0) FROM products");
  c->Step(st);
  return sqlite3_column_int64(st, 0);
}

}  // namespace minired::catalog
