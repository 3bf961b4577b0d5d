#!/usr/bin/env node
// `edgepipe bench vectorize` peer: DuckDB `CREATE TABLE r AS SELECT a * b`
// (the product materialized in a table; fetching 50M values into JS would
// time the conversion, not the multiply). Inputs are generated in SQL with
// the shared formula (vectorize_args.mjs). Protocol: bench_common.mjs.
import { Report, fail, loadEngine, measure, packageVersion } from './bench_common.mjs';
import { parseVectorizeArgs } from './vectorize_args.mjs';

const USAGE = `usage: vectorize_duckdb.mjs [--n N] [--dtype f64|f32] [--runs R] [--warmup W] [--threads T]
Times CREATE TABLE r AS SELECT a*b AS c FROM t on N values; prints one JSON object.
`;
const args = parseVectorizeArgs(USAGE);
const duck = await loadEngine('@duckdb/node-api');

const report = new Report('duckdb');
report.set('package_version', packageVersion('@duckdb/node-api'));
report.set('node', process.version);
try {
  const instance = await duck.DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  if (args.threads > 0) await connection.run(`SET threads = ${args.threads}`);
  const scalar = async (sql) => (await (await connection.run(sql)).getRows())[0][0];
  report.set('version', String(await scalar('SELECT version()')));
  report.set('threads', Number(await scalar("SELECT current_setting('threads')")));
  const type = args.dtype === 'f32' ? 'FLOAT' : 'DOUBLE';
  const gen = (k, c) => `CAST(0.5 + CAST((i * ${k} + ${c}) % 4294967296 AS DOUBLE) / CAST(4294967296 AS DOUBLE) AS ${type})`;
  await connection.run(`CREATE TABLE t AS SELECT ${gen(2654435761, 12345)} AS a, ${gen(2246822519, 67890)} AS b
                        FROM range(${args.n}) r(i) ORDER BY i`);
  const drop = async () => { await connection.run('DROP TABLE IF EXISTS r'); };
  await report.run('multiply_alloc', ['multiply_alloc'], async () => {
    const { seconds } = await measure('multiply_alloc',
      () => connection.run('CREATE OR REPLACE TABLE r AS SELECT a * b AS c FROM t'),
      { warmup: args.warmup, runs: args.runs }, drop);
    const check = Number(await scalar('SELECT sum(CAST(c AS DOUBLE)) FROM r'));
    return { seconds, check };
  });
} catch (e) {
  fail(`duckdb: ${e.message}`);
}
report.print();
