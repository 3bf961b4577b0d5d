// Shared code of the peer scripts: argument parsing, the canonical dump
// format (docs/interop.md), and the per-engine dumpers. Node built-ins only,
// plus the two engines from package.json.

import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

export const ENGINES = ['duckdb', 'polars'];

// Prints "script: error: message" and exits with status 1.
export function fail(message) {
  const script = path.basename(process.argv[1] ?? 'peer');
  process.stderr.write(`${script}: error: ${message}\n`);
  process.exit(1);
}

// node:util parseArgs with usage text on --help and a clean error otherwise.
export function parseCli(usage, options, { positionals = 0 } = {}) {
  let parsed;
  try {
    parsed = parseArgs({
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: positionals > 0,
      strict: true,
    });
  } catch (e) {
    fail(`${e.message}\n${usage}`);
  }
  if (parsed.values.help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  if (parsed.positionals.length > positionals) {
    fail(`unexpected argument '${parsed.positionals[positionals]}'\n${usage}`);
  }
  return parsed;
}

export function requireEngine(value) {
  if (value === undefined) fail('--engine duckdb|polars is required');
  if (!ENGINES.includes(value)) fail(`unknown engine '${value}' (expected duckdb or polars)`);
  return value;
}

// Engines are imported lazily so a missing native module is reported as an
// error message, not a stack trace, and so one engine works without the other.
export async function loadDuckDB() {
  try {
    return await import('@duckdb/node-api');
  } catch (e) {
    fail(`cannot load @duckdb/node-api (run 'npm install --ignore-scripts' in the repo root): ${e.message}`);
  }
}

export async function loadPolars() {
  try {
    const mod = await import('nodejs-polars');
    return mod.default ?? mod;
  } catch (e) {
    fail(`cannot load nodejs-polars (run 'npm install --ignore-scripts' in the repo root): ${e.message}`);
  }
}

// SQL literal and identifier quoting for DuckDB.
export function sqlString(s) {
  return `'${String(s).replaceAll("'", "''")}'`;
}
export function sqlIdent(s) {
  return `"${String(s).replaceAll('"', '""')}"`;
}

// DuckDB's read_csv as both scripts use it. Quoted "" is an empty string, not
// null (DuckDB's default treats it as null, Polars does not); an unquoted empty
// field is null in both engines. allVarchar: every column as VARCHAR, so casts
// parse the text themselves (a FLOAT is rounded once, not via DOUBLE).
export function duckCsvSource(file, allVarchar = false) {
  return `read_csv(${sqlString(file)}, header = true, allow_quoted_nulls = false` +
    `${allVarchar ? ', all_varchar = true' : ''})`;
}

// ------------------------------------------------------------------ output

// Canonical text is built as bytes in a growing Buffer (no string per cell
// to keep alive: with strings, a million-row dump spent half its time in GC)
// and handed to stdout a megabyte or more at a time, waiting for the pipe to
// drain.
export class ByteSink {
  constructor(capacity = 1 << 21) {
    this.buf = Buffer.allocUnsafe(capacity);
    this.pos = 0;
  }
  reserve(n) {
    if (this.pos + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
  byte(b) {
    this.reserve(1);
    this.buf[this.pos++] = b;
  }
  // For text known to be ASCII (numbers, null, true, false). Cells are short:
  // a JS loop beats a call into Buffer.write for them.
  ascii(s) {
    const n = s.length;
    this.reserve(n);
    if (n > 32) {
      this.pos += this.buf.write(s, this.pos, 'latin1');
      return;
    }
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; ++i) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }
  utf8(s) {
    this.reserve(s.length * 3);  // a UTF-16 code unit is at most 3 UTF-8 bytes
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }
  hex32(u) {
    this.reserve(8);
    const b = this.buf;
    const p = this.pos;
    b[p] = HEX_HI[u >>> 24];
    b[p + 1] = HEX_LO[u >>> 24];
    b[p + 2] = HEX_HI[(u >>> 16) & 255];
    b[p + 3] = HEX_LO[(u >>> 16) & 255];
    b[p + 4] = HEX_HI[(u >>> 8) & 255];
    b[p + 5] = HEX_LO[(u >>> 8) & 255];
    b[p + 6] = HEX_HI[u & 255];
    b[p + 7] = HEX_LO[u & 255];
    this.pos = p + 8;
  }
  // The bytes so far; the sink starts over with a fresh buffer.
  take() {
    const bytes = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(this.buf.length);
    this.pos = 0;
    return bytes;
  }
}

// A reader that stops early (`| head`) is not an error of ours.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  fail(`stdout: ${e.message}`);
});

export async function writeStdout(bytes) {
  if (bytes.length === 0) return;
  if (!process.stdout.write(bytes)) await once(process.stdout, 'drain');
}

const FLUSH_BYTES = 1 << 20;

// ------------------------------------------------------- canonical cells

if (os.endianness() !== 'LE') fail('the canonical dumper assumes a little-endian host');

const HEX_CHARS = Buffer.from('0123456789abcdef', 'latin1');
// ASCII of the high and low hex digit of each byte value.
const HEX_HI = Uint8Array.from({ length: 256 }, (_, i) => HEX_CHARS[i >>> 4]);
const HEX_LO = Uint8Array.from({ length: 256 }, (_, i) => HEX_CHARS[i & 15]);
const TAB = 9;
const NEWLINE = 10;

const f32Scratch = new Float32Array(1);
const u32OfF32 = new Uint32Array(f32Scratch.buffer);
const f64Scratch = new Float64Array(1);
const u32OfF64 = new Uint32Array(f64Scratch.buffer);

// JSON.stringify escapes ", \, \b \f \n \r \t, other U+0000..U+001F as
// \u00xx and lone surrogates as \udxxx; everything else stays raw UTF-8.
export function stringCell(s) {
  return JSON.stringify(s);
}

// A column writer is (row, sink) => void and writes one cell of that row.
function emitRows(writers, rowCount, sink) {
  const ncol = writers.length;
  for (let row = 0; row < rowCount; ++row) {
    for (let col = 0; col < ncol; ++col) {
      if (col > 0) sink.byte(TAB);
      writers[col](row, sink);
    }
    sink.byte(NEWLINE);
  }
}

function emitHeader(names, types, sink) {
  sink.utf8(names.map((n, i) => `${n}:${types[i]}`).join('\t') + '\n');
}

// Writers over a typed array of values plus an optional null mask (bytes,
// non-zero = null). Float bits come straight from the column's memory, so NaN
// payloads survive.
function float32Writer(values, nulls) {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  return (i, s) => (nulls !== null && nulls[i] ? s.ascii('null') : s.hex32(bits[i]));
}
function float64Writer(values, nulls) {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  return (i, s) => {
    if (nulls !== null && nulls[i]) {
      s.ascii('null');
    } else {
      s.hex32(bits[2 * i + 1]);
      s.hex32(bits[2 * i]);
    }
  };
}
function decimalWriter(values, nulls) {
  return (i, s) => s.ascii(nulls !== null && nulls[i] ? 'null' : values[i].toString());
}

// --------------------------------------------------------------- DuckDB

// Canonical name of a DuckDB column type, or undefined when unsupported.
function duckCanonicalType(typeId, T) {
  switch (typeId) {
    case T.BOOLEAN: return 'bool';
    case T.TINYINT: return 'int8';
    case T.SMALLINT: return 'int16';
    case T.INTEGER: return 'int32';
    case T.BIGINT: return 'int64';
    case T.UTINYINT: return 'uint8';
    case T.USMALLINT: return 'uint16';
    case T.UINTEGER: return 'uint32';
    case T.UBIGINT: return 'uint64';
    case T.FLOAT: return 'float32';
    case T.DOUBLE: return 'float64';
    case T.VARCHAR: return 'string';
    case T.TIMESTAMP:
    case T.TIMESTAMP_TZ:
    case T.TIMESTAMP_MS:
    case T.TIMESTAMP_S:
    case T.TIMESTAMP_NS: return 'timestamp_ns';
    case T.DATE: return 'date32';
    default: return undefined;
  }
}

// Null mask (1 = null) of the first n items of a DuckDB vector, or null when
// every item is valid.
function duckNulls(vector, n) {
  const validity = vector.validity;
  const valid = validity && typeof validity.itemValid === 'function'
    ? (i) => validity.itemValid(i) : (i) => vector.getItem(i) !== null;
  let mask = null;
  for (let i = 0; i < n; ++i) {
    if (!valid(i)) {
      if (mask === null) mask = new Uint8Array(n);
      mask[i] = 1;
    }
  }
  return mask;
}

// The vector's own typed array of fixed-width values, when the binding
// exposes one (it does in @duckdb/node-api 1.5; otherwise getItem is used).
function duckItems(vector, type, n) {
  const items = vector.items;
  return items instanceof type && items.length >= n ? items.subarray(0, n) : null;
}

// Timestamps as int64 counts of some unit, scaled to nanoseconds exactly.
function scaledWriter(items, nulls, scale) {
  return (i, s) => s.ascii(nulls !== null && nulls[i] ? 'null' : (items[i] * scale).toString());
}

// Writer for one DuckDB vector of n rows.
function duckWriter(vector, typeId, n, T) {
  const item = (i) => vector.getItem(i);
  const cell = (format) => (i, s) => {
    const v = item(i);
    s.ascii(v === null ? 'null' : format(v));
  };
  const INT_ARRAYS = {
    [T.TINYINT]: Int8Array, [T.SMALLINT]: Int16Array, [T.INTEGER]: Int32Array, [T.BIGINT]: BigInt64Array,
    [T.UTINYINT]: Uint8Array, [T.USMALLINT]: Uint16Array, [T.UINTEGER]: Uint32Array, [T.UBIGINT]: BigUint64Array,
  };
  const TIMESTAMP_SCALE = {
    [T.TIMESTAMP]: 1000n, [T.TIMESTAMP_TZ]: 1000n, [T.TIMESTAMP_MS]: 1000000n,
    [T.TIMESTAMP_S]: 1000000000n, [T.TIMESTAMP_NS]: 1n,
  };
  if (typeId in INT_ARRAYS) {
    const items = duckItems(vector, INT_ARRAYS[typeId], n);
    if (items !== null) return decimalWriter(items, duckNulls(vector, n));
    return cell((v) => v.toString());
  }
  if (typeId in TIMESTAMP_SCALE) {
    const items = duckItems(vector, BigInt64Array, n);
    if (items !== null) return scaledWriter(items, duckNulls(vector, n), TIMESTAMP_SCALE[typeId]);
    switch (typeId) {
      case T.TIMESTAMP:
      case T.TIMESTAMP_TZ: return cell((v) => (v.micros * 1000n).toString());
      case T.TIMESTAMP_MS: return cell((v) => (v.millis * 1000000n).toString());
      case T.TIMESTAMP_S: return cell((v) => (v.seconds * 1000000000n).toString());
      default: return cell((v) => v.nanos.toString());
    }
  }
  switch (typeId) {
    case T.BOOLEAN: return cell((v) => (v ? 'true' : 'false'));
    case T.FLOAT: {
      const items = duckItems(vector, Float32Array, n);
      if (items !== null) return float32Writer(items, duckNulls(vector, n));
      return cell((v) => {
        f32Scratch[0] = v;
        return u32OfF32[0].toString(16).padStart(8, '0');
      });
    }
    case T.DOUBLE: {
      const items = duckItems(vector, Float64Array, n);
      if (items !== null) return float64Writer(items, duckNulls(vector, n));
      return cell((v) => {
        f64Scratch[0] = v;
        return u32OfF64[1].toString(16).padStart(8, '0') + u32OfF64[0].toString(16).padStart(8, '0');
      });
    }
    case T.VARCHAR:
      return (i, s) => {
        const v = item(i);
        if (v === null) s.ascii('null');
        else s.utf8(stringCell(v));
      };
    case T.DATE: return cell((v) => String(v.days));
    default: throw new Error(`unsupported DuckDB type id ${typeId}`);
  }
}

// Runs `sql` on `connection` and streams its result to stdout in canonical form.
export async function dumpDuckDBQuery(duck, connection, sql) {
  const T = duck.DuckDBTypeId;
  const result = await connection.stream(sql);
  const names = result.columnNames();
  const typeIds = result.columnTypes().map((t) => t.typeId);
  const types = typeIds.map((id, i) => {
    const canonical = duckCanonicalType(id, T);
    if (canonical === undefined) {
      fail(`column '${names[i]}' has DuckDB type ${result.columnType(i).toString()}, which has no canonical form`);
    }
    return canonical;
  });
  if (typeIds.includes(T.TIMESTAMP_TZ)) {
    // DuckDB 1.5 has no TIMESTAMPTZ_NS: a Parquet TIMESTAMP(NANOS,
    // isAdjustedToUTC=true) column reaches us already cut to microseconds.
    process.stderr.write('note: DuckDB reads UTC timestamps at microsecond precision; ' +
      'sub-microsecond digits of TIMESTAMP(NANOS, UTC) columns are lost\n');
  }
  const sink = new ByteSink();
  emitHeader(names, types, sink);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const n = chunk.rowCount;
    const writers = typeIds.map((id, col) => duckWriter(chunk.getColumnVector(col), id, n, T));
    emitRows(writers, n, sink);
    if (sink.pos >= FLUSH_BYTES) await writeStdout(sink.take());
  }
  await writeStdout(sink.take());
}

// ---------------------------------------------------------------- Polars

function polarsCanonicalType(dtype) {
  switch (String(dtype.variant)) {
    case 'Bool': return 'bool';
    case 'Int8': return 'int8';
    case 'Int16': return 'int16';
    case 'Int32': return 'int32';
    case 'Int64': return 'int64';
    case 'UInt8': return 'uint8';
    case 'UInt16': return 'uint16';
    case 'UInt32': return 'uint32';
    case 'UInt64': return 'uint64';
    case 'Float32': return 'float32';
    case 'Float64': return 'float64';
    case 'Utf8':
    case 'String': return 'string';
    case 'Datetime': return 'timestamp_ns';
    case 'Date': return 'date32';
    default: return undefined;
  }
}

// Writer for one Polars Series. Numbers come as typed arrays (Int64 as
// BigInt64Array, so exact; toArray() would give lossy JS numbers).
function polarsWriter(pl, series, canonical) {
  // Null mask as bytes: a typed array is far faster to fetch than toArray().
  const nulls = series.nullCount() > 0 ? series.isNull().cast(pl.UInt8).toTypedArray() : null;
  // toTypedArray refuses nulls: fill them, the mask restores them.
  const typedValues = (s) => (nulls !== null ? s.fillNull('zero') : s).toTypedArray();
  switch (canonical) {
    case 'bool': {
      const values = series.toArray();
      return (i, s) => s.ascii(values[i] === null ? 'null' : values[i] ? 'true' : 'false');
    }
    case 'int8': case 'int16': case 'int32':
    case 'uint8': case 'uint16': case 'uint32': case 'int64': case 'uint64':
      return decimalWriter(typedValues(series), nulls);
    case 'timestamp_ns':
      return decimalWriter(typedValues(series.cast(pl.Datetime('ns')).cast(pl.Int64)), nulls);
    case 'date32':
      return decimalWriter(typedValues(series.cast(pl.Int32)), nulls);
    case 'float32':
      return float32Writer(typedValues(series), nulls);
    case 'float64': {
      let values = typedValues(series);
      if (values.byteOffset % 4 !== 0) values = new Float64Array(values);
      return float64Writer(values, nulls);
    }
    case 'string': {
      const values = series.toArray();
      return (i, s) => {
        const v = values[i];
        if (v === null) s.ascii('null');
        else s.utf8(stringCell(v));
      };
    }
    default:
      throw new Error(`unsupported canonical type ${canonical}`);
  }
}

// Streams a Polars DataFrame to stdout in canonical form, `batchRows` rows at a time.
export async function dumpPolarsFrame(pl, df, batchRows = 65536) {
  const names = df.columns;
  const types = df.dtypes.map((dtype, i) => {
    const canonical = polarsCanonicalType(dtype);
    if (canonical === undefined) {
      fail(`column '${names[i]}' has Polars type ${String(dtype)}, which has no canonical form`);
    }
    return canonical;
  });
  const sink = new ByteSink();
  emitHeader(names, types, sink);
  const height = df.height;
  for (let offset = 0; offset < height; offset += batchRows) {
    const batch = df.slice(offset, Math.min(batchRows, height - offset));
    const writers = names.map((name, col) => polarsWriter(pl, batch.getColumn(name), types[col]));
    emitRows(writers, batch.height, sink);
    await writeStdout(sink.take());
  }
  await writeStdout(sink.take());
}
