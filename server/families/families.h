// Each command family registers its descriptors explicitly; server.cc calls
// RegisterAllFamilies once at start-up.
#pragma once

namespace minired {

class CommandTable;
class PubSub;
class ShardSet;
struct Session;

// Per-client cleanup shared by RESET, DISCARD/EXEC and disconnects.
void UnwatchAll(ShardSet& shards, Session& s);
void DiscardTransaction(Session& s);
void UnsubscribeAll(PubSub& pubsub, Session& s);

void RegisterStringFamily(CommandTable* table);
void RegisterCounterFamily(CommandTable* table);
void RegisterBitmapFamily(CommandTable* table);
void RegisterBitFieldFamily(CommandTable* table);
void RegisterLcsFamily(CommandTable* table);
void RegisterSortFamily(CommandTable* table);
void RegisterGeoFamily(CommandTable* table);  // registers the search commands too
void RegisterGeoSearchFamily(CommandTable* table);
void RegisterHyperLogLogFamily(CommandTable* table);
void RegisterKeysFamily(CommandTable* table);
void RegisterDumpFamily(CommandTable* table);  // DUMP, RESTORE
void RegisterMigrateFamily(CommandTable* table);
void RegisterExpireFamily(CommandTable* table);
void RegisterDatabaseFamily(CommandTable* table);
void RegisterConnectionFamily(CommandTable* table);
void RegisterClientFamily(CommandTable* table);
void RegisterServerFamily(CommandTable* table);
void RegisterConfigFamily(CommandTable* table);
void RegisterCommandFamily(CommandTable* table);
void RegisterHashFamily(CommandTable* table);
void RegisterSetFamily(CommandTable* table);
void RegisterZSetFamily(CommandTable* table);  // registers the range and algebra commands too
void RegisterZSetRangeFamily(CommandTable* table);
void RegisterZSetAlgebraFamily(CommandTable* table);
void RegisterListFamily(CommandTable* table);
void RegisterBlockingFamily(CommandTable* table);
void RegisterStreamFamily(CommandTable* table);  // registers the read, group and XINFO commands too
void RegisterTransactionFamily(CommandTable* table);
void RegisterPubSubFamily(CommandTable* table);
void RegisterPersistenceFamily(CommandTable* table);
void RegisterReplicationFamily(CommandTable* table);
void RegisterMemoryFamily(CommandTable* table);
void RegisterObservabilityFamily(CommandTable* table);
void RegisterAclFamily(CommandTable* table);
void RegisterScriptingFamily(CommandTable* table);  // server/scripting/
void RegisterFunctionFamily(CommandTable* table);   // server/scripting/

// The process's command table, built once on first use: the server dispatches through it
// and ACL rules index their per-command bits by its positions (command_table.cc).
const CommandTable& BuiltinCommands();

inline void RegisterAllFamilies(CommandTable* table) {
  RegisterStringFamily(table);
  RegisterCounterFamily(table);
  RegisterBitmapFamily(table);
  RegisterBitFieldFamily(table);
  RegisterLcsFamily(table);
  RegisterSortFamily(table);
  RegisterGeoFamily(table);
  RegisterHyperLogLogFamily(table);
  RegisterKeysFamily(table);
  RegisterDumpFamily(table);
  RegisterMigrateFamily(table);
  RegisterExpireFamily(table);
  RegisterDatabaseFamily(table);
  RegisterConnectionFamily(table);
  RegisterClientFamily(table);
  RegisterServerFamily(table);
  RegisterPersistenceFamily(table);
  RegisterReplicationFamily(table);
  RegisterMemoryFamily(table);
  RegisterObservabilityFamily(table);
  RegisterAclFamily(table);
  RegisterConfigFamily(table);
  RegisterCommandFamily(table);
  RegisterHashFamily(table);
  RegisterSetFamily(table);
  RegisterZSetFamily(table);
  RegisterListFamily(table);
  RegisterBlockingFamily(table);
  RegisterStreamFamily(table);
  RegisterTransactionFamily(table);
  RegisterPubSubFamily(table);
  RegisterScriptingFamily(table);
  RegisterFunctionFamily(table);
}

}  // namespace minired
