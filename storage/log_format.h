// The value of one append-only log record: one journal entry (journal.h).
//
//   u8 version (kLogFormatVersion) | varint command count |
//   per command: varint db | varint length | RESP multibulk bytes
//
// An entry with no commands is valid (a sequence number that changed nothing). The
// layout is frozen by tests/unit/storage/log_format_test.cc: change it only with a new
// version number and a reader for the old one.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/status.h"
#include "storage/journal.h"

namespace minired {

inline constexpr uint8_t kLogFormatVersion = 1;

std::string EncodeLogRecord(const std::vector<JournalCommand>& commands);
Status DecodeLogRecord(std::string_view value, std::vector<JournalCommand>* commands);

// The writer appends a run of consecutive entries as one record of a log segment
// (log_segments.h), so a busy log costs one write per batch:
//   u8 version (kLogFormatVersion) | varint entry count |
//   per entry: varint seq | varint length | record (as above)
// A batch from records already encoded (the format's reference, used by its tests):
void AppendToLogBatch(uint64_t seq, std::string_view record, std::string* batch, size_t* count);
std::string FinishLogBatch(const std::string& body, size_t count);
// The same bytes for a run of entries, written in one pass into *out (cleared first):
// what the log writer appends, without a string per entry and two copies of the batch.
void EncodeLogBatch(const std::vector<JournalEntry>& entries, std::string* out);
// Visits the (seq, record) pairs of a batch value.
Status ForEachInLogBatch(std::string_view value, const std::function<Status(uint64_t, std::string_view)>& visit);

}  // namespace minired
