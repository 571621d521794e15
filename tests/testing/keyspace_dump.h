// Everything observable about one database's keyspace, for comparing two servers
// (persistence round trips, a master against its replicas).
#pragma once

#include <map>
#include <string>

#include "tests/testing/resp_client.h"

namespace minired::testing {

// Per key of the selected database: its type, its contents in a canonical order (a
// stream: XINFO STREAM FULL, consumers' seen-time aside), its absolute expiry and its
// encoding. Leaves `c` on database `db`.
std::map<std::string, std::string> DumpKeyspace(RespClient& c, int db = 0);
// The same without what two implementations may lay out differently while holding the
// same data: the encoding, and a stream's radix-tree node counts (minired against
// redis-server, after DUMP/RESTORE, an RDB import or a mixed replication).
std::map<std::string, std::string> DumpKeyspaceContents(RespClient& c, int db = 0);

}  // namespace minired::testing
