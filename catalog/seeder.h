// `minired-catalog seed`: fills the database with realistic products in batched
// transactions, showing progress on stderr.
#pragma once

#include "catalog/options.h"

namespace minired::catalog {

class Database;

// Returns the number of products written; throws DbError on database failure.
int64_t Seed(const SeedOptions& options, Database* db);

}  // namespace minired::catalog
