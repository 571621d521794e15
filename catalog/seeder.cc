#include "catalog/seeder.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <numeric>
#include <random>

#include "catalog/database.h"

namespace minired::catalog {
namespace {

constexpr const char* kCategories[] = {
    "shoes",      "shirts",     "jackets",   "trousers",  "dresses",   "bags",       "watches",    "jewelry",
    "laptops",    "phones",     "tablets",   "cameras",   "headphones", "speakers",  "monitors",   "keyboards",
    "furniture",  "lighting",   "kitchen",   "bedding",   "garden",     "tools",     "toys",       "games",
    "books",      "music",      "movies",    "sports",    "outdoor",    "bicycles",  "fitness",    "beauty",
    "fragrances", "haircare",   "groceries", "beverages", "pets",       "baby",      "office",     "automotive"};
constexpr const char* kBrands[] = {"Acme",   "Northwind", "Contoso", "Globex",  "Initech", "Umbrella", "Stark",
                                   "Wayne",  "Hooli",     "Vandelay", "Soylent", "Tyrell",  "Cyberdyne", "Aperture",
                                   "Oscorp", "Gringotts", "Wonka",   "Duff",    "Prestige", "Monarch"};
constexpr const char* kAdjectives[] = {"Classic", "Premium", "Compact", "Deluxe", "Essential", "Pro",    "Ultra",
                                       "Eco",     "Smart",   "Vintage", "Modern", "Rugged",    "Light", "Signature"};
constexpr const char* kNouns[] = {"Edition", "Series", "Collection", "Model", "Line", "Pack", "Set", "Kit"};

std::string CategoryName(int i) {
  constexpr int kNamed = static_cast<int>(std::size(kCategories));
  return i < kNamed ? kCategories[i] : fmt::format("{}-{}", kCategories[i % kNamed], i / kNamed + 1);
}

void ShowProgress(int64_t done, int64_t total, double seconds) {
  constexpr int kWidth = 30;
  int filled = static_cast<int>(kWidth * done / std::max<int64_t>(total, 1));
  fmt::print(stderr, "\r[{}{}] {:3}% {}/{} products, {:.0f}/s", std::string(filled, '#'),
             std::string(kWidth - filled, ' '), 100 * done / std::max<int64_t>(total, 1), done, total,
             done / std::max(seconds, 1e-9));
}

}  // namespace

int64_t Seed(const SeedOptions& o, Database* db) {
  db->BulkLoadMode();
  if (o.reset) db->DeleteAll();
  std::mt19937_64 rng(o.random_seed);
  const int64_t first = db->MaxId() + 1;
  // Ranks are a shuffled 1..N so every sort order has a different first page.
  std::vector<int64_t> ranks(static_cast<size_t>(o.products));
  std::iota(ranks.begin(), ranks.end(), 1);
  std::shuffle(ranks.begin(), ranks.end(), rng);
  std::lognormal_distribution<double> price(3.5, 1.0);  // median ~ 33.00
  std::uniform_int_distribution<int> category(0, o.categories - 1);
  std::uniform_int_distribution<int64_t> stock(0, 500);
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  std::uniform_int_distribution<int64_t> age(0, 2 * 365 * 86400);

  constexpr int64_t kBatch = 10'000;
  auto start = std::chrono::steady_clock::now();
  std::vector<Product> batch;
  batch.reserve(kBatch);
  for (int64_t i = 0; i < o.products; ++i) {
    Product p;
    const int64_t n = first + i;
    p.sku = fmt::format("SKU-{:08}", n);
    p.category = CategoryName(category(rng));
    p.brand = kBrands[rng() % std::size(kBrands)];
    p.name = fmt::format("{} {} {} {}", p.brand, kAdjectives[rng() % std::size(kAdjectives)], p.category,
                         kNouns[rng() % std::size(kNouns)]);
    p.price_cents = std::min<int64_t>(std::llround(price(rng) * 100), 99'999'99);
    p.image_url = fmt::format("https://img.example.com/products/{}.jpg", n);
    p.stock = stock(rng);
    p.rank = ranks[static_cast<size_t>(i)];
    p.created_at = now - age(rng);
    p.updated_at = p.created_at;
    batch.push_back(std::move(p));
    if (static_cast<int64_t>(batch.size()) == kBatch || i + 1 == o.products) {
      db->InsertBatch(batch);
      batch.clear();
      if (o.progress) {
        ShowProgress(i + 1, o.products,
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      }
    }
  }
  if (o.progress) fmt::print(stderr, "\n");
  return o.products;
}

}  // namespace minired::catalog
