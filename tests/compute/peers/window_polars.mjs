#!/usr/bin/env node
// Reference for tests/compute/window_polars_test.cc: Polars' group_by_dynamic
// (tumbling windows) and rolling (closed="right") on a sensor CSV.
// usage: window_polars.mjs CSV TIME_COL KEY_COL EVERY OFFSET PERIOD
// Prints one JSON object: {"windows": [[key, start_ns, mean(ax), max(gz), count], ...],
//                          "rolling": [[key, t_ns, rolling mean(ax)], ...]}
// Times are strings (int64 ns). Exit 3 when nodejs-polars cannot be loaded.
import { createRequire } from 'node:module';
import path from 'node:path';

const [csv, timeCol, keyCol, every, offset, period] = process.argv.slice(2);
if (period === undefined) {
  process.stderr.write('usage: window_polars.mjs CSV TIME_COL KEY_COL EVERY OFFSET PERIOD\n');
  process.exit(1);
}
let pl;
try {
  // Resolve from the repository root (node_modules beside tests/).
  const require = createRequire(path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../package.json'));
  const mod = await import(require.resolve('nodejs-polars'));
  pl = mod.default ?? mod;
} catch (e) {
  process.stderr.write(`cannot load nodejs-polars: ${e.message}\n`);
  process.exit(3);
}
const df = pl.readCSV(csv).withColumn(pl.col(timeCol).cast(pl.Datetime('ns')).alias('__t'));
const w = df
  .groupByDynamic({ indexColumn: '__t', every, offset, by: keyCol, closed: 'left', label: 'left', startBy: 'window' })
  .agg(pl.col('ax').mean().alias('m'), pl.col('gz').max().alias('mx'), pl.len().alias('n'));
const r = df.groupByRolling({ indexColumn: '__t', period, by: keyCol, closed: 'right' })
  .agg(pl.col('ax').mean().alias('m'));
const cols = (frame, names) => names.map((n) => frame.getColumn(n).toArray());
const rows = (arrays) => arrays[0].map((_, i) => arrays.map((a) => (typeof a[i] === 'bigint' ? a[i].toString() : a[i])));
const wt = w.withColumn(pl.col('__t').cast(pl.Int64).cast(pl.Utf8).alias('__ts'));
const rt = r.withColumn(pl.col('__t').cast(pl.Int64).cast(pl.Utf8).alias('__ts'));
process.stdout.write(JSON.stringify({
  windows: rows(cols(wt, [keyCol, '__ts', 'm', 'mx', 'n'])),
  rolling: rows(cols(rt, [keyCol, '__ts', 'm'])),
}) + '\n');
