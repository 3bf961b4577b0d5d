#!/usr/bin/env node
// `edgepipe bench groupby` peer: mean of v per k with nodejs-polars.
// usage: groupby_polars.mjs --parquet FILE [--runs N] [--warmup N] [--threads N]
// The Parquet file (k int64, v float64, written by edgepipe) is read
// untimed; each run times df.groupBy('k').agg(pl.col('v').mean()).
// Protocol (one JSON object on stdout, progress on stderr): bench_common.mjs.
import { parseArgs } from 'node:util';
import { Report, fail, loadEngine, measure, packageVersion } from './bench_common.mjs';

let v;
try {
  v = parseArgs({ options: { parquet: { type: 'string' }, runs: { type: 'string' }, warmup: { type: 'string' },
    threads: { type: 'string' } }, strict: true }).values;
} catch (e) {
  fail(e.message);
}
if (v.parquet === undefined) fail('--parquet FILE is required');
if (v.threads !== undefined) process.env.POLARS_MAX_THREADS = v.threads;
const mod = await loadEngine('nodejs-polars');
const pl = mod.default ?? mod;
const report = new Report('polars');
report.set('version', String(packageVersion('nodejs-polars')));
report.set('runtime', `node ${process.version}`);
report.set('threads', v.threads === undefined ? null : Number(v.threads));
const timing = { runs: Number(v.runs ?? 5), warmup: Number(v.warmup ?? 1) };
const df = pl.readParquet(v.parquet);
await report.run('group_by_mean', ['group_by_mean'], async () => {
  const { seconds, last } = await measure('group_by_mean', () => df.groupBy('k').agg(pl.col('v').mean().alias('m')), timing);
  let check = 0;
  for (const x of last.getColumn('m').toArray()) check += x;
  return { seconds, rows: df.height, groups: last.height, check };
});
report.print();
