#!/usr/bin/env node
// `edgepipe bench groupby` peer: mean of v per k with DuckDB (@duckdb/node-api).
// usage: groupby_duckdb.mjs --parquet FILE [--runs N] [--warmup N] [--threads N]
// The Parquet file is loaded untimed into an in-memory table; each run times
// SELECT k, avg(v) FROM t GROUP BY k with its result materialized.
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
const duck = await loadEngine('@duckdb/node-api');
const report = new Report('duckdb');
report.set('package_version', packageVersion('@duckdb/node-api'));
report.set('runtime', `node ${process.version}`);
report.set('threads', v.threads === undefined ? null : Number(v.threads));
const timing = { runs: Number(v.runs ?? 5), warmup: Number(v.warmup ?? 1) };
const instance = await duck.DuckDBInstance.create(':memory:');
const connection = await instance.connect();
if (v.threads !== undefined) await connection.run(`SET threads = ${Number(v.threads)}`);
report.set('version', String((await (await connection.run('SELECT version()')).getRows())[0][0]));
const file = v.parquet.replaceAll("'", "''");
await connection.run(`CREATE TABLE t AS SELECT * FROM read_parquet('${file}')`);
await report.run('group_by_mean', ['group_by_mean'], async () => {
  const { seconds, last } = await measure('group_by_mean',
    () => connection.runAndReadAll('SELECT k, avg(v) AS m FROM t GROUP BY k'), timing);
  const rows = last.getRows();
  let check = 0;
  for (const r of rows) check += Number(r[1]);
  return { seconds, groups: rows.length, check };
});
connection.closeSync();
instance.closeSync();
report.print();
