#!/usr/bin/env node
// `edgepipe bench vectorize` peer: out = a * b with nodejs-polars Series
// (a new Series per call: Polars has no out= API). Inputs and protocol:
// vectorize_args.mjs, bench_common.mjs. Threads: POLARS_MAX_THREADS (set
// by the harness before start).
import { Report, fail, loadEngine, measure, packageVersion } from './bench_common.mjs';
import { makeInputs, parseVectorizeArgs } from './vectorize_args.mjs';

const USAGE = `usage: vectorize_polars.mjs [--n N] [--dtype f64|f32] [--runs R] [--warmup W] [--threads T]
Times Series a.mul(b) on N values; prints one JSON object.
`;
const args = parseVectorizeArgs(USAGE);
if (args.threads > 0) process.env.POLARS_MAX_THREADS = String(args.threads);
const mod = await loadEngine('nodejs-polars');
const pl = mod.default ?? mod;

const report = new Report('polars');
report.set('version', packageVersion('nodejs-polars'));
report.set('node', process.version);
report.set('threads', args.threads || null);
try {
  const { a, b } = makeInputs(args.n, args.dtype);
  const sa = pl.Series('a', a);
  const sb = pl.Series('b', b);
  report.set('details', { dtype: String(sa.dtype) });
  await report.run('multiply_alloc', ['multiply_alloc'], async () => {
    const { seconds, last } = await measure('multiply_alloc', () => sa.mul(sb), { warmup: args.warmup, runs: args.runs });
    // Summed in float64: a float32 sum of 50M values is off by ~1e-5.
    return { seconds, check: Number(last.cast(pl.Float64).sum()) };
  });
} catch (e) {
  fail(`polars: ${e.message}`);
}
report.print();
