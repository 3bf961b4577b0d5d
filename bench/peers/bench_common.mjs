// Shared code of the benchmark peers (io_polars.mjs, io_duckdb.mjs): argument
// parsing, the timing loop and the one JSON object each peer prints.
//
// Protocol with the harness (src/bench/peer_runner.cc, docs/benchmarks.md):
// - stdout: exactly one JSON object, printed at the end:
//     {"engine", "version", "package_version", "node", "threads",
//      "operations": {op: {"seconds": [...], "rows"?, "bytes"?, "groups"?,
//                          "check"?} | {"error": "message"}}}
// - stderr: "progress <op> <done>/<runs>" lines (the harness turns them into
//   its progress output) and, on failure, "<script>: error: <message>".
// - exit status: 0 ok (an operation that failed is reported in its entry),
//   1 usage or setup error, 3 the engine package is not installed.
// Node built-ins only, plus the engine the peer measures.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

export const EXIT_NOT_INSTALLED = 3;

// Every operation of the io scenario, in the order the peers run them.
export const IO_OPERATIONS = [
  'csv_read',
  'parquet_write_zstd',
  'parquet_write_snappy',
  'parquet_read_zstd',
  'parquet_read_snappy',
  'parquet_read_edgepipe_zstd',
  'group_by_mean',
];

// The float columns averaged per sensor by group_by_mean.
export const MEAN_COLUMNS = ['ax', 'ay', 'az', 'gx', 'gy', 'gz'];

export function fail(message, code = 1) {
  const script = path.basename(process.argv[1] ?? 'peer');
  process.stderr.write(`${script}: error: ${message}\n`);
  process.exit(code);
}

function positiveInt(name, text, min) {
  if (text === undefined) return undefined;
  if (!/^[0-9]+$/.test(text) || Number(text) < min) fail(`--${name} must be an integer >= ${min}, got '${text}'`);
  return Number(text);
}

// Parses the common io options; prints `usage` for --help.
export function parseIoArgs(usage) {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        csv: { type: 'string' },
        dir: { type: 'string' },
        runs: { type: 'string' },
        warmup: { type: 'string' },
        threads: { type: 'string' },
        cross: { type: 'string' },
        ops: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (e) {
    fail(`${e.message}\n${usage}`);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  if (v.csv === undefined) fail(`--csv FILE is required\n${usage}`);
  if (v.dir === undefined) fail(`--dir DIR is required\n${usage}`);
  if (!fs.existsSync(v.csv)) fail(`--csv ${v.csv}: no such file`);
  if (!fs.existsSync(v.dir)) fail(`--dir ${v.dir}: no such directory`);
  const ops = v.ops === undefined ? IO_OPERATIONS.slice() : v.ops.split(',').filter((s) => s.length > 0);
  for (const op of ops) {
    if (!IO_OPERATIONS.includes(op)) fail(`unknown operation '${op}' (expected ${IO_OPERATIONS.join(',')})`);
  }
  if (ops.includes('parquet_read_edgepipe_zstd') && v.cross === undefined) {
    // Without edgepipe's file there is nothing to cross-read.
    ops.splice(ops.indexOf('parquet_read_edgepipe_zstd'), 1);
  }
  return {
    csv: v.csv,
    dir: v.dir,
    runs: positiveInt('runs', v.runs, 1) ?? 5,
    warmup: positiveInt('warmup', v.warmup, 0) ?? 1,
    threads: positiveInt('threads', v.threads, 1),
    cross: v.cross,
    ops,
  };
}

// version field of node_modules/<pkg>/package.json as seen from this script.
export function packageVersion(pkg) {
  try {
    const require = createRequire(import.meta.url);
    const file = require.resolve(`${pkg}/package.json`);
    return JSON.parse(fs.readFileSync(file, 'utf8')).version;
  } catch {
    return undefined;
  }
}

// Imports an engine; a missing package exits with EXIT_NOT_INSTALLED so the
// harness reports "not installed" instead of a failure.
export async function loadEngine(pkg) {
  try {
    const mod = await import(pkg);
    return mod;
  } catch (e) {
    fail(`cannot load ${pkg} (run 'npm ci --ignore-scripts' in the repo root): ${e.message}`, EXIT_NOT_INSTALLED);
  }
}

// Releases the previous run's output before the next one, outside the timed
// region (the harness starts node with --expose-gc). Native memory of Polars
// frames and DuckDB results is freed by their finalizers.
function collect() {
  if (typeof globalThis.gc === 'function') globalThis.gc();
}

// Runs `fn` warmup times, then `runs` times, each run timed on its own with
// hrtime. `fn` may be async; `after` (untimed) releases the run's output.
// Returns { seconds, last } where last is the value of the final run.
export async function measure(op, fn, { warmup, runs }, after = () => {}) {
  for (let i = 0; i < warmup; ++i) {
    const out = await fn();
    await after(out);
    collect();
  }
  if (warmup > 0) process.stderr.write(`progress ${op} warmup\n`);
  const seconds = [];
  let last;
  for (let i = 0; i < runs; ++i) {
    const t0 = process.hrtime.bigint();
    const out = await fn();
    const t1 = process.hrtime.bigint();
    seconds.push(Number(t1 - t0) / 1e9);
    process.stderr.write(`progress ${op} ${i + 1}/${runs}\n`);
    if (i + 1 < runs) {
      await after(out);
      collect();
    } else {
      last = out;
    }
  }
  return { seconds, last };
}

// Collects per-operation entries; an operation that throws is recorded with
// its message and the others still run (a peer that cannot read edgepipe's
// file must not hide its other timings).
export class Report {
  constructor(engine) {
    this.doc = { engine, operations: {} };
  }
  set(key, value) {
    this.doc[key] = value;
  }
  async run(op, ops, body) {
    if (!ops.includes(op)) return;
    try {
      this.doc.operations[op] = await body();
    } catch (e) {
      process.stderr.write(`${op}: ${e.message}\n`);
      this.doc.operations[op] = { error: String(e.message ?? e) };
    }
  }
  print() {
    process.stdout.write(JSON.stringify(this.doc) + '\n');
  }
}

export function fileBytes(file) {
  return fs.statSync(file).size;
}
