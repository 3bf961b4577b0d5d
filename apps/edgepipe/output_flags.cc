#include "apps/edgepipe/output_flags.h"

#include <CLI/CLI.hpp>

namespace edgepipe::cli {

void OutputFlags::Add(CLI::App* cmd) {
  cmd->add_option("--compression", compression, "Parquet codec: zstd, snappy, gzip, lz4, none")
      ->capture_default_str();
  cmd->add_option("--compression-level", compression_level, "Codec level (-1 = codec default: zstd 3, gzip 6)");
  cmd->add_option("--row-group-rows", row_group_rows, "Rows per Parquet row group")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--page-v2", page_v2, "Write Parquet data pages v2 (default v1, read by every engine)");
  cmd->add_option("--encoding", encodings,
                  "Per-column Parquet encoding COL=ENC (repeatable); ENC: auto, plain, dictionary, delta, "
                  "delta_length, delta_byte_array, byte_stream_split, rle");
  cmd->add_option("--timestamps", timestamps, "CSV timestamp format: iso (ISO-8601, ns, UTC) or ns (epoch ns)")
      ->capture_default_str()
      ->check(CLI::IsMember({"iso", "ns"}));
}

Result<OutputOptions> OutputFlags::ToOptions() const {
  OutputOptions out;
  ASSIGN_OR_RETURN(out.parquet.compression, parquet::ParseCompression(compression));
  out.parquet.compression_level = compression_level;
  out.parquet.row_group_rows = row_group_rows;
  out.parquet.data_page_v2 = page_v2;
  for (const std::string& item : encodings) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("--encoding '" + item + "' is not COL=ENC (e.g. --encoding ax=byte_stream_split)");
    }
    ASSIGN_OR_RETURN(out.parquet.columns[item.substr(0, eq)].encoding,
                     parquet::ParseColumnEncoding(item.substr(eq + 1)));
  }
  out.csv.timestamp_format = timestamps == "ns" ? csv::TimestampFormat::kEpochNs : csv::TimestampFormat::kIso8601;
  return out;
}

}  // namespace edgepipe::cli
