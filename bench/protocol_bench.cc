// RESP request parsing throughput (bytes/s and commands/s) and reply writing.
#include <benchmark/benchmark.h>

#include <string>

#include "protocol/command_encoder.h"
#include "protocol/reply_writer.h"
#include "protocol/request_parser.h"

namespace minired {
namespace {

std::string Pipeline(int commands, size_t value_size) {
  std::string wire;
  std::string value(value_size, 'v');
  for (int i = 0; i < commands; ++i) {
    std::string key = "key:" + std::to_string(i);
    EncodeCommand({"SET", key, value}, &wire);
  }
  return wire;
}

void BM_ParseSetPipeline(benchmark::State& state) {
  const int kCommands = 1000;
  std::string wire = Pipeline(kCommands, static_cast<size_t>(state.range(0)));
  RequestParser parser;
  for (auto _ : state) {
    std::string_view rest = wire;
    size_t consumed;
    while (!rest.empty() && parser.Parse(rest, &consumed) == RequestParser::Result::kOk) {
      benchmark::DoNotOptimize(parser.args().data());
      rest.remove_prefix(consumed);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * wire.size()));
  state.SetItemsProcessed(state.iterations() * kCommands);
}
BENCHMARK(BM_ParseSetPipeline)->Arg(3)->Arg(21)->Arg(1024)->Arg(64 * 1024);

void BM_ParseInline(benchmark::State& state) {
  std::string wire;
  for (int i = 0; i < 1000; ++i) wire += "SET key:" + std::to_string(i) + " value\r\n";
  RequestParser parser;
  for (auto _ : state) {
    std::string_view rest = wire;
    size_t consumed;
    while (!rest.empty() && parser.Parse(rest, &consumed) == RequestParser::Result::kOk) {
      rest.remove_prefix(consumed);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * wire.size()));
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_ParseInline);

// The parser resuming a command that arrives in 64-byte pieces.
void BM_ParseFragmented(benchmark::State& state) {
  std::string wire = Pipeline(100, 512);
  RequestParser parser;
  for (auto _ : state) {
    size_t start = 0, have = 0;
    while (start < wire.size()) {
      have = std::min(wire.size(), have + 64);
      size_t consumed;
      while (start < have &&
             parser.Parse(std::string_view(wire).substr(start, have - start), &consumed) ==
                 RequestParser::Result::kOk) {
        start += consumed;
      }
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * wire.size()));
}
BENCHMARK(BM_ParseFragmented);

void BM_WriteBulkReplies(benchmark::State& state) {
  std::string out;
  std::string value(21, 'v');
  for (auto _ : state) {
    out.clear();
    ReplyWriter w(&out);
    for (int i = 0; i < 1000; ++i) w.Bulk(value);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_WriteBulkReplies);

// LPUSH's and INCR's replies: integers of growing length, 1 to 7 digits.
void BM_WriteIntegerReplies(benchmark::State& state) {
  std::string out;
  for (auto _ : state) {
    out.clear();
    ReplyWriter w(&out);
    for (int64_t i = 0; i < 1000; ++i) w.Integer(i * 1009);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_WriteIntegerReplies);

}  // namespace
}  // namespace minired
