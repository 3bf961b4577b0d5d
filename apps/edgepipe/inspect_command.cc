// edgepipe inspect FILE: schema, row groups, encodings, codecs, statistics
// and sizes of a Parquet file (schema and row count of a CSV file).

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "apps/edgepipe/cli_util.h"
#include "apps/edgepipe/commands.h"
#include "apps/edgepipe/input_flags.h"

namespace edgepipe::cli {

namespace {

std::string Join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += sep;
    out += items[i];
  }
  return out;
}

nlohmann::json InfoToJson(const parquet::FileInfo& info, const Schema& schema) {
  nlohmann::json j;
  j["file_size"] = info.file_size;
  j["num_rows"] = info.num_rows;
  j["format_version"] = info.format_version;
  j["created_by"] = info.created_by;
  for (const Field& f : schema.fields()) {
    j["schema"].push_back({{"name", f.name}, {"type", std::string(TypeName(f.type))}, {"nullable", f.nullable}});
  }
  for (const auto& rg : info.row_groups) {
    nlohmann::json jrg = {{"num_rows", rg.num_rows}, {"total_byte_size", rg.total_byte_size}};
    for (const auto& c : rg.columns) {
      nlohmann::json jc = {{"column", c.column},          {"physical_type", c.physical_type},
                           {"codec", c.codec},            {"encodings", c.encodings},
                           {"num_values", c.num_values},  {"compressed_bytes", c.compressed_bytes},
                           {"uncompressed_bytes", c.uncompressed_bytes}};
      if (c.null_count) jc["null_count"] = *c.null_count;
      if (c.min) jc["min"] = *c.min;
      if (c.max) jc["max"] = *c.max;
      jrg["columns"].push_back(jc);
    }
    j["row_groups"].push_back(jrg);
  }
  for (const auto& [k, v] : info.key_value_metadata) j["key_value_metadata"][k] = v;
  return j;
}

void PrintInfo(const std::string& path, const parquet::FileInfo& info, const Schema& schema) {
  fmt::print("{}: Parquet, {} rows, {} row groups, {} ({} bytes), format v{}\n", path, info.num_rows,
             info.row_groups.size(), HumanBytes(static_cast<double>(info.file_size)), info.file_size,
             info.format_version);
  if (!info.created_by.empty()) fmt::print("created by: {}\n", info.created_by);
  fmt::print("\nschema:\n");
  for (const Field& f : schema.fields()) {
    fmt::print("  {:<16} {}{}\n", f.name, TypeName(f.type), f.nullable ? "" : " not null");
  }
  // Per-column totals over row groups, then each row group in detail.
  fmt::print("\n{:<16} {:>12} {:>12} {:>7}  {:<8} {}\n", "column", "compressed", "uncompressed", "ratio", "codec",
             "encodings");
  std::vector<int64_t> comp(schema.num_fields()), uncomp(schema.num_fields());
  for (const auto& rg : info.row_groups) {
    for (size_t i = 0; i < rg.columns.size() && i < comp.size(); ++i) {
      comp[i] += rg.columns[i].compressed_bytes;
      uncomp[i] += rg.columns[i].uncompressed_bytes;
    }
  }
  for (size_t i = 0; i < comp.size() && !info.row_groups.empty(); ++i) {
    const auto& c = info.row_groups[0].columns[i];
    fmt::print("{:<16} {:>12} {:>12} {:>6.2f}x  {:<8} {}\n", c.column, HumanBytes(static_cast<double>(comp[i])),
               HumanBytes(static_cast<double>(uncomp[i])),
               comp[i] > 0 ? static_cast<double>(uncomp[i]) / static_cast<double>(comp[i]) : 0.0, c.codec,
               Join(c.encodings, ","));
  }
  for (size_t g = 0; g < info.row_groups.size(); ++g) {
    const auto& rg = info.row_groups[g];
    fmt::print("\nrow group {}: {} rows, {}\n", g, rg.num_rows, HumanBytes(static_cast<double>(rg.total_byte_size)));
    fmt::print("  {:<16} {:>10} {:>6}  {:<26} {:<26}\n", "column", "size", "nulls", "min", "max");
    for (const auto& c : rg.columns) {
      fmt::print("  {:<16} {:>10} {:>6}  {:<26} {:<26}\n", c.column, HumanBytes(static_cast<double>(c.compressed_bytes)),
                 c.null_count ? std::to_string(*c.null_count) : "-", c.min.value_or("-"), c.max.value_or("-"));
    }
  }
}

}  // namespace

void AddInspectCommand(CLI::App* app, RunFn* run) {
  auto* cmd = app->add_subcommand("inspect", "Show a file's schema, row groups, encodings, codecs, statistics, sizes");
  auto path = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto input = std::make_shared<InputFlags>();
  cmd->add_option("file", *path, "A .parquet or .csv file")->required();
  cmd->add_flag("--json", *json, "Machine-readable output");
  input->Add(cmd);
  cmd->callback([run, path, json, input] {
    *run = [path, json, input]() -> Status {
      ASSIGN_OR_RETURN(FileFormat format, FormatFromPath(*path));
      if (format == FileFormat::kParquet) {
        ASSIGN_OR_RETURN(auto reader, parquet::ParquetFileReader::Open(*path));
        const parquet::FileInfo info = reader->Info();
        if (*json) {
          fmt::print("{}\n", InfoToJson(info, *reader->schema()).dump(2));
        } else {
          PrintInfo(*path, info, *reader->schema());
        }
        return Status::OK();
      }
      ASSIGN_OR_RETURN(InputOptions in_options, input->ToOptions());
      ASSIGN_OR_RETURN(auto reader, OpenInput(*path, in_options));
      int64_t rows = 0;
      while (true) {
        ASSIGN_OR_RETURN(auto batch, reader->Next());
        if (!batch) break;
        rows += batch->num_rows();
      }
      if (*json) {
        nlohmann::json j = {{"num_rows", rows}};
        for (const Field& f : reader->schema()->fields()) {
          j["schema"].push_back({{"name", f.name}, {"type", std::string(TypeName(f.type))}});
        }
        fmt::print("{}\n", j.dump(2));
      } else {
        fmt::print("{}: CSV, {} rows\n\nschema:\n", *path, rows);
        for (const Field& f : reader->schema()->fields()) fmt::print("  {:<16} {}\n", f.name, TypeName(f.type));
      }
      return Status::OK();
    };
  });
}

}  // namespace edgepipe::cli
