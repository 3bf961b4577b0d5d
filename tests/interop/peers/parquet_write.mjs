#!/usr/bin/env node
// Reads a CSV file and writes it as Parquet with DuckDB or Polars, so our
// reader can be tested on files other writers made.
import {
  duckCsvSource, fail, loadDuckDB, loadPolars, parseCli, requireEngine, sqlIdent, sqlString,
} from './peer_common.mjs';

const USAGE = `usage: parquet_write.mjs --engine duckdb|polars --csv IN.csv --out OUT.parquet
         [--compression zstd|snappy|gzip|lz4|uncompressed] [--row-group-size N]
         [--page-v2] [--dictionary on|off] [--schema imu]

  --compression     page codec (default: the engine's default, DuckDB snappy,
                    Polars zstd); lz4 is LZ4_RAW in both engines
  --row-group-size  rows per row group
  --page-v2         DuckDB: PARQUET_VERSION v2 (v2 encodings such as
                    DELTA_BINARY_PACKED; DuckDB 1.5 still writes DATA_PAGE v1
                    headers). Polars: not supported (error)
  --dictionary      on: the engine decides (default); off: DuckDB writes PLAIN
                    only (DICTIONARY_SIZE_LIMIT 0); Polars: not supported (error)
  --schema imu      cast to the sensor schema: timestamp (int64 epoch ns in the
                    CSV) -> ns timestamp, sensor_id string, seq int64,
                    ax ay az gx gy gz temp_c float32. Polars marks the timestamp
                    UTC; DuckDB 1.5 has no ns UTC type and writes
                    TIMESTAMP(NANOS, isAdjustedToUTC=false)
Without --schema each engine infers the column types itself.
`;

const COMPRESSIONS = ['zstd', 'snappy', 'gzip', 'lz4', 'uncompressed'];
const IMU_FLOATS = ['ax', 'ay', 'az', 'gx', 'gy', 'gz', 'temp_c'];

const { values } = parseCli(USAGE, {
  engine: { type: 'string' },
  csv: { type: 'string' },
  out: { type: 'string' },
  compression: { type: 'string' },
  'row-group-size': { type: 'string' },
  'page-v2': { type: 'boolean' },
  dictionary: { type: 'string' },
  schema: { type: 'string' },
});
const engine = requireEngine(values.engine);
if (values.csv === undefined) fail('--csv IN.csv is required');
if (values.out === undefined) fail('--out OUT.parquet is required');
if (values.compression !== undefined && !COMPRESSIONS.includes(values.compression)) {
  fail(`unknown --compression '${values.compression}' (expected ${COMPRESSIONS.join('|')})`);
}
let rowGroupSize;
if (values['row-group-size'] !== undefined) {
  if (!/^[1-9][0-9]*$/.test(values['row-group-size'])) {
    fail(`--row-group-size must be a positive integer, got '${values['row-group-size']}'`);
  }
  rowGroupSize = Number(values['row-group-size']);
}
const dictionary = values.dictionary ?? 'on';
if (dictionary !== 'on' && dictionary !== 'off') fail(`--dictionary must be on or off, got '${dictionary}'`);
if (values.schema !== undefined && values.schema !== 'imu') fail(`unknown --schema '${values.schema}' (expected imu)`);
const imu = values.schema === 'imu';

try {
  if (engine === 'duckdb') await writeWithDuckDB();
  else await writeWithPolars();
} catch (e) {
  fail(`${engine}: ${e.message}`);
}

async function writeWithDuckDB() {
  const duck = await loadDuckDB();
  const instance = await duck.DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  let select;
  if (imu) {
    // Every CSV column arrives as VARCHAR and is cast once, so float32
    // values are rounded straight from the decimal text.
    const floats = IMU_FLOATS.map((c) => `CAST(${sqlIdent(c)} AS FLOAT) AS ${sqlIdent(c)}`);
    select = `SELECT make_timestamp_ns(CAST("timestamp" AS BIGINT)) AS "timestamp", ` +
      `CAST(sensor_id AS VARCHAR) AS sensor_id, CAST(seq AS BIGINT) AS seq, ${floats.join(', ')} ` +
      `FROM ${duckCsvSource(values.csv, true)}`;
  } else {
    select = `SELECT * FROM ${duckCsvSource(values.csv)}`;
  }
  const options = ['FORMAT parquet'];
  if (values.compression !== undefined) options.push(`COMPRESSION ${values.compression}`);
  if (rowGroupSize !== undefined) options.push(`ROW_GROUP_SIZE ${rowGroupSize}`);
  if (values['page-v2']) options.push('PARQUET_VERSION v2');
  if (dictionary === 'off') options.push('DICTIONARY_SIZE_LIMIT 0');
  await connection.run(`COPY (${select}) TO ${sqlString(values.out)} (${options.join(', ')})`);
  connection.closeSync();
  instance.closeSync();
}

async function writeWithPolars() {
  if (values['page-v2']) fail('polars: --page-v2 is not supported (nodejs-polars has no data page version option)');
  if (dictionary === 'off') fail('polars: --dictionary off is not supported (nodejs-polars has no dictionary option)');
  const pl = await loadPolars();
  let df;
  if (imu) {
    // inferSchemaLength 0 reads every column as text; strict casts reject
    // anything unparsable instead of turning it into null.
    df = pl.readCSV(values.csv, { inferSchemaLength: 0 });
    df = df.select(
      pl.col('timestamp').cast(pl.Int64, true).cast(pl.Datetime('ns', 'UTC'), true).alias('timestamp'),
      pl.col('sensor_id').cast(pl.Utf8, true).alias('sensor_id'),
      pl.col('seq').cast(pl.Int64, true).alias('seq'),
      ...IMU_FLOATS.map((c) => pl.col(c).cast(pl.Float32, true).alias(c)),
    );
  } else {
    df = pl.readCSV(values.csv);
  }
  const options = {};
  if (values.compression !== undefined) options.compression = values.compression;
  if (rowGroupSize !== undefined) options.rowGroupSize = rowGroupSize;
  df.lazy().sinkParquet(values.out, options).collectSync();
}
