#include "catalog/product.h"

#include <cmath>
#include <ctime>
#include <set>

namespace minired::catalog {

using nlohmann::json;

std::string IsoTime(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

json ToJson(const Product& p) {
  return json{{"id", p.id},
              {"sku", p.sku},
              {"name", p.name},
              {"category", p.category},
              {"brand", p.brand},
              {"price", static_cast<double>(p.price_cents) / 100.0},
              {"image_url", p.image_url},
              {"stock", p.stock},
              {"rank", p.rank},
              {"created_at", IsoTime(p.created_at)},
              {"updated_at", IsoTime(p.updated_at)}};
}

void ProductFields::ApplyTo(Product* p) const {
  if (sku) p->sku = *sku;
  if (name) p->name = *name;
  if (category) p->category = *category;
  if (brand) p->brand = *brand;
  if (image_url) p->image_url = *image_url;
  if (price_cents) p->price_cents = *price_cents;
  if (stock) p->stock = *stock;
  if (rank) p->rank = *rank;
}

namespace {

constexpr size_t kMaxText = 200;
constexpr size_t kMaxUrl = 2000;
constexpr int64_t kMaxPriceCents = 100'000'000'00;  // 100 million
constexpr int64_t kMaxCount = 1'000'000'000;

std::optional<ValidationError> Text(const json& v, const char* field, size_t max, std::optional<std::string>* out) {
  if (!v.is_string()) return ValidationError{field, "must be a string"};
  const auto& s = v.get_ref<const std::string&>();
  if (s.empty()) return ValidationError{field, "must not be empty"};
  if (s.size() > max) return ValidationError{field, "must be at most " + std::to_string(max) + " bytes"};
  *out = s;
  return std::nullopt;
}

std::optional<ValidationError> Count(const json& v, const char* field, int64_t lo, std::optional<int64_t>* out) {
  if (!v.is_number_integer()) return ValidationError{field, "must be an integer"};
  int64_t n = v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(kMaxCount) ? kMaxCount + 1
                                                                                               : v.get<int64_t>();
  if (n < lo || n > kMaxCount) {
    return ValidationError{field, "must be from " + std::to_string(lo) + " to " + std::to_string(kMaxCount)};
  }
  *out = n;
  return std::nullopt;
}

std::optional<ValidationError> Price(const json& v, std::optional<int64_t>* out) {
  if (!v.is_number()) return ValidationError{"price", "must be a number"};
  double d = v.get<double>();
  double cents = std::round(d * 100.0);
  if (!(d >= 0) || cents > static_cast<double>(kMaxPriceCents)) {
    return ValidationError{"price", "must be from 0 to 100000000"};
  }
  if (std::fabs(d * 100.0 - cents) > 1e-6) return ValidationError{"price", "must have at most two decimals"};
  *out = static_cast<int64_t>(cents);
  return std::nullopt;
}

}  // namespace

std::optional<ValidationError> ParseProductFields(std::string_view body, FieldsMode mode, ProductFields* out) {
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return ValidationError{"body", "is not valid JSON"};
  if (!doc.is_object()) return ValidationError{"body", "must be a JSON object"};
  static const std::set<std::string> kRequired{"sku", "name", "category", "brand", "price", "image_url", "stock"};
  for (auto& [key, value] : doc.items()) {
    std::optional<ValidationError> err;
    if (key == "sku") err = Text(value, "sku", 64, &out->sku);
    else if (key == "name") err = Text(value, "name", kMaxText, &out->name);
    else if (key == "category") err = Text(value, "category", 64, &out->category);
    else if (key == "brand") err = Text(value, "brand", kMaxText, &out->brand);
    else if (key == "image_url") err = Text(value, "image_url", kMaxUrl, &out->image_url);
    else if (key == "price") err = Price(value, &out->price_cents);
    else if (key == "stock") err = Count(value, "stock", 0, &out->stock);
    else if (key == "rank") err = Count(value, "rank", 1, &out->rank);
    else if (key == "id" || key == "created_at" || key == "updated_at") err = ValidationError{key, "is read-only"};
    else err = ValidationError{key, "is not a product field"};
    if (err) return err;
  }
  if (mode == FieldsMode::kAll) {
    for (const std::string& f : kRequired) {
      if (!doc.contains(f)) return ValidationError{f, "is required"};
    }
  } else if (out->empty()) {
    return ValidationError{"body", "must set at least one field"};
  }
  return std::nullopt;
}

}  // namespace minired::catalog
