// A product as the API shows it, and the validation of what clients send. Prices are
// kept in cents (exact), shown as a number with two decimals; times are Unix seconds
// in the database and ISO 8601 (UTC) in JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace minired::catalog {

struct Product {
  int64_t id = 0;
  std::string sku;  // unique: a second product with the same SKU is a conflict (409)
  std::string name;
  std::string category;
  std::string brand;
  int64_t price_cents = 0;
  std::string image_url;
  int64_t stock = 0;
  int64_t rank = 0;  // 1 is the best placed
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

nlohmann::json ToJson(const Product& p);
std::string IsoTime(int64_t unix_seconds);

// What a client may set. POST and PUT need every field; PATCH any non-empty subset.
struct ProductFields {
  std::optional<std::string> sku, name, category, brand, image_url;
  std::optional<int64_t> price_cents, stock, rank;
  bool empty() const {
    return !sku && !name && !category && !brand && !image_url && !price_cents && !stock && !rank;
  }
  void ApplyTo(Product* p) const;
};

// A request body's problem, naming the field ("price") or "body" for the whole.
struct ValidationError {
  std::string field;
  std::string message;
};

enum class FieldsMode { kAll, kSome };

// Parses and validates a JSON body: unknown fields, wrong types, empty strings,
// negative or oversized numbers and prices with more than two decimals are refused.
std::optional<ValidationError> ParseProductFields(std::string_view body, FieldsMode mode, ProductFields* out);

}  // namespace minired::catalog
