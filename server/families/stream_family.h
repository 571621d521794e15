// The stream commands' registration, split by file: stream_family.cc registers the
// entry commands and calls the others.
#pragma once

namespace minired {

class CommandTable;

void RegisterStreamReadCommands(CommandTable* table);   // stream_read_family.cc: XREAD XREADGROUP
void RegisterStreamGroupCommands(CommandTable* table);  // stream_group_family.cc: XGROUP XACK XPENDING XCLAIM XAUTOCLAIM
void RegisterStreamInfoCommands(CommandTable* table);   // stream_info_family.cc: XINFO

}  // namespace minired
