// Arguments and inputs shared by the Node peers of `edgepipe bench
// vectorize` (vectorize_polars.mjs, vectorize_duckdb.mjs). Protocol and
// timing loop: bench_common.mjs.
import { parseArgs } from 'node:util';
import { fail } from './bench_common.mjs';

export function parseVectorizeArgs(usage) {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        n: { type: 'string' }, dtype: { type: 'string' }, runs: { type: 'string' },
        warmup: { type: 'string' }, threads: { type: 'string' }, help: { type: 'boolean', short: 'h' },
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
  const int = (name, text, def, min) => {
    if (text === undefined) return def;
    if (!/^[0-9]+$/.test(text) || Number(text) < min) fail(`--${name} must be an integer >= ${min}, got '${text}'`);
    return Number(text);
  };
  const dtype = v.dtype ?? 'f64';
  if (dtype !== 'f64' && dtype !== 'f32') fail(`--dtype must be f64 or f32, got '${dtype}'`);
  return {
    n: int('n', v.n, 50000000, 1),
    dtype,
    runs: int('runs', v.runs, 5, 1),
    warmup: int('warmup', v.warmup, 1, 0),
    threads: int('threads', v.threads, 0, 0),  // 0: the engine's default
  };
}

// The shared inputs (vectorize_scenario.h): (i*K + C) mod 2^32 with 32-bit
// wrapping arithmetic, exact in every language.
export function makeInputs(n, dtype) {
  const Arr = dtype === 'f32' ? Float32Array : Float64Array;
  const a = new Arr(n);
  const b = new Arr(n);
  for (let i = 0; i < n; ++i) {
    a[i] = 0.5 + ((Math.imul(i, 2654435761 | 0) + 12345) >>> 0) / 4294967296;
    b[i] = 0.5 + ((Math.imul(i, 2246822519 | 0) + 67890) >>> 0) / 4294967296;
  }
  return { a, b };
}
