// Decode throughput of the reader's hot loops. Bytes processed are the bytes
// of decoded output, so numbers compare across encodings.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

#include "parquet/encoding/byte_stream_split.h"
#include "parquet/encoding/delta_binary_packed.h"
#include "parquet/encoding/dictionary.h"
#include "parquet/encoding/plain.h"
#include "parquet/encoding/rle_bp.h"

namespace ep = edgepipe::parquet;

namespace {

constexpr int64_t kValues = 1 << 20;

// Dictionary indices of a 16-entry dictionary: bit width 4, random, so the
// encoder writes bit-packed runs (the common case for a dictionary page).
void BM_RleBpDecodeIndicesWidth4(benchmark::State& state) {
  std::mt19937_64 rng(1);
  std::vector<uint32_t> indices(kValues);
  for (auto& v : indices) v = rng() % 16;
  ep::RleBpEncoder encoder(4);
  encoder.Put(indices.data(), kValues);
  std::vector<uint8_t> encoded;
  encoder.Flush(&encoded);
  std::vector<uint32_t> out(kValues);
  for (auto _ : state) {
    ep::RleBpDecoder decoder(encoded.data(), encoded.size(), 4);
    if (!decoder.GetBatch(out.data(), kValues).ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * kValues * static_cast<int64_t>(sizeof(uint32_t)));
  state.SetItemsProcessed(state.iterations() * kValues);
}
BENCHMARK(BM_RleBpDecodeIndicesWidth4);

// Index decode plus gather into int64 values: what a dictionary column read does.
void BM_DictionaryDecodeGatherInt64(benchmark::State& state) {
  std::mt19937_64 rng(2);
  std::vector<int64_t> dict(16);
  for (auto& v : dict) v = static_cast<int64_t>(rng());
  std::vector<uint32_t> indices(kValues);
  for (auto& v : indices) v = rng() % 16;
  ep::RleBpEncoder encoder(4);
  encoder.Put(indices.data(), kValues);
  std::vector<uint8_t> encoded;
  encoder.Flush(&encoded);
  std::vector<uint32_t> idx(kValues);
  std::vector<int64_t> out(kValues);
  for (auto _ : state) {
    ep::RleBpDecoder decoder(encoded.data(), encoded.size(), 4);
    if (!decoder.GetBatch(idx.data(), kValues).ok()) state.SkipWithError("decode failed");
    if (!ep::DictionaryGather(dict.data(), 16, idx.data(), kValues, out.data()).ok()) {
      state.SkipWithError("gather failed");
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * kValues * static_cast<int64_t>(sizeof(int64_t)));
}
BENCHMARK(BM_DictionaryDecodeGatherInt64);

// 1M int64 timestamps at a constant 1 ms step (in ns): every miniblock has
// bit width 0 after min-delta subtraction.
void BM_DeltaDecodeTimestamps1ms(benchmark::State& state) {
  std::vector<int64_t> ts(kValues);
  for (int64_t i = 0; i < kValues; ++i) ts[i] = 1700000000000000000LL + i * 1000000LL;
  std::vector<uint8_t> encoded;
  ep::EncodeDeltaBinaryPacked(ts.data(), kValues, &encoded);
  std::vector<int64_t> out(kValues);
  for (auto _ : state) {
    ep::DeltaBinaryPackedDecoder<int64_t> decoder;
    if (!decoder.Init(encoded.data(), encoded.size()).ok() ||
        !decoder.Decode(out.data(), kValues).ok()) {
      state.SkipWithError("decode failed");
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * kValues * static_cast<int64_t>(sizeof(int64_t)));
  state.counters["encoded_bytes"] = static_cast<double>(encoded.size());
}
BENCHMARK(BM_DeltaDecodeTimestamps1ms);

// Timestamps with jitter: deltas of 1 ms +- 0..255 us, so miniblocks use ~9 bits.
void BM_DeltaDecodeTimestampsJitter(benchmark::State& state) {
  std::mt19937_64 rng(3);
  std::vector<int64_t> ts(kValues);
  int64_t t = 1700000000000000000LL;
  for (int64_t i = 0; i < kValues; ++i) {
    t += 1000000 + static_cast<int64_t>(rng() % 256) * 1000;
    ts[i] = t;
  }
  std::vector<uint8_t> encoded;
  ep::EncodeDeltaBinaryPacked(ts.data(), kValues, &encoded);
  std::vector<int64_t> out(kValues);
  for (auto _ : state) {
    ep::DeltaBinaryPackedDecoder<int64_t> decoder;
    if (!decoder.Init(encoded.data(), encoded.size()).ok() ||
        !decoder.Decode(out.data(), kValues).ok()) {
      state.SkipWithError("decode failed");
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * kValues * static_cast<int64_t>(sizeof(int64_t)));
}
BENCHMARK(BM_DeltaDecodeTimestampsJitter);

template <typename T>
void BM_ByteStreamSplitDecode(benchmark::State& state) {
  std::mt19937_64 rng(4);
  std::vector<T> values(kValues);
  for (auto& v : values) v = static_cast<T>(std::uniform_real_distribution<double>(-10, 10)(rng));
  std::vector<uint8_t> encoded;
  ep::EncodeByteStreamSplit(values.data(), kValues, &encoded);
  std::vector<T> out(kValues);
  for (auto _ : state) {
    if (!ep::DecodeByteStreamSplit(encoded.data(), encoded.size(), kValues, out.data()).ok()) {
      state.SkipWithError("decode failed");
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * kValues * static_cast<int64_t>(sizeof(T)));
}
BENCHMARK(BM_ByteStreamSplitDecode<float>);
BENCHMARK(BM_ByteStreamSplitDecode<double>);

// The scalar reference, for the SIMD speed-up ratio.
void BM_ByteStreamSplitDecodeScalarFloat(benchmark::State& state) {
  std::vector<uint8_t> encoded(kValues * 4);
  std::mt19937_64 rng(5);
  for (auto& b : encoded) b = static_cast<uint8_t>(rng());
  std::vector<uint8_t> out(encoded.size());
  for (auto _ : state) {
    if (!ep::DecodeByteStreamSplitWidth(encoded.data(), encoded.size(), 4, kValues, out.data()).ok()) {
      state.SkipWithError("decode failed");
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * kValues * 4);
}
BENCHMARK(BM_ByteStreamSplitDecodeScalarFloat);

void BM_PlainByteArrayDecode(benchmark::State& state) {
  std::vector<std::string> strings;
  std::mt19937_64 rng(6);
  for (int64_t i = 0; i < kValues / 4; ++i) strings.push_back("sensor-" + std::to_string(rng() % 100000));
  std::vector<std::string_view> views(strings.begin(), strings.end());
  std::vector<uint8_t> encoded;
  ep::EncodePlainByteArray(views.data(), static_cast<int64_t>(views.size()), &encoded);
  std::vector<std::string_view> out(views.size());
  for (auto _ : state) {
    size_t consumed;
    if (!ep::DecodePlainByteArray(encoded.data(), encoded.size(), static_cast<int64_t>(out.size()),
                                  out.data(), &consumed)
             .ok()) {
      state.SkipWithError("decode failed");
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(encoded.size()));
}
BENCHMARK(BM_PlainByteArrayDecode);

}  // namespace
