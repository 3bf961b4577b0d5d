#!/usr/bin/env node
// `edgepipe bench io` peer: times the io scenario with DuckDB (@duckdb/node-api),
// in an in-memory database. Protocol: bench_common.mjs.
import path from 'node:path';
import {
  MEAN_COLUMNS, Report, fail, fileBytes, loadEngine, measure, packageVersion, parseIoArgs,
} from './bench_common.mjs';

const USAGE = `usage: io_duckdb.mjs --csv FILE --dir DIR [--runs N] [--warmup N] [--threads N]
         [--cross EDGEPIPE.parquet] [--ops op,op,...]

Times with DuckDB (in-memory database), each operation warmed up then run N times:
  csv_read                    CREATE TABLE sensors AS SELECT * FROM read_csv(FILE)
  parquet_write_zstd|snappy   COPY sensors TO DIR/duckdb.<codec>.parquet
                              (FORMAT parquet, COMPRESSION <codec>)
  parquet_read_zstd|snappy    CREATE TABLE r AS SELECT * FROM read_parquet(those files)
  parquet_read_edgepipe_zstd  the same on --cross FILE
  group_by_mean               SELECT sensor_id, avg(ax), ..., avg(gz) ... GROUP BY sensor_id
                              (materialized result)
Tables are dropped between runs, outside the timed region. Prints one JSON
object with every run's seconds. --threads: SET threads = N (default: every core).
`;

function sqlString(s) {
  return `'${String(s).replaceAll("'", "''")}'`;
}

const args = parseIoArgs(USAGE);
const duck = await loadEngine('@duckdb/node-api');

const report = new Report('duckdb');
report.set('package_version', packageVersion('@duckdb/node-api'));
report.set('node', process.version);
report.set('threads', args.threads ?? null);

let instance;
let connection;
try {
  instance = await duck.DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  if (args.threads !== undefined) await connection.run(`SET threads = ${args.threads}`);
  const versionRows = await (await connection.run('SELECT version()')).getRows();
  report.set('version', String(versionRows[0][0]));

  const timing = { warmup: args.warmup, runs: args.runs };
  const scalar = async (sql) => (await (await connection.run(sql)).getRows())[0][0];
  const dropTable = (name) => async () => { await connection.run(`DROP TABLE IF EXISTS ${name}`); };
  const loadSensors = `CREATE TABLE sensors AS SELECT * FROM read_csv(${sqlString(args.csv)})`;

  let loaded = false;
  await report.run('csv_read', args.ops, async () => {
    const { seconds } = await measure('csv_read', () => connection.run(loadSensors), timing, dropTable('sensors'));
    loaded = true;
    return { seconds, rows: Number(await scalar('SELECT count(*) FROM sensors')) };
  });
  if (!loaded) {
    await connection.run('DROP TABLE IF EXISTS sensors');
    await connection.run(loadSensors);
  }

  for (const codec of ['zstd', 'snappy']) {
    const file = path.join(args.dir, `duckdb.${codec}.parquet`);
    await report.run(`parquet_write_${codec}`, args.ops, async () => {
      const sql = `COPY sensors TO ${sqlString(file)} (FORMAT parquet, COMPRESSION ${codec})`;
      const { seconds } = await measure(`parquet_write_${codec}`, () => connection.run(sql), timing);
      return { seconds, bytes: fileBytes(file), file };
    });
  }
  const reads = [
    ['parquet_read_zstd', path.join(args.dir, 'duckdb.zstd.parquet')],
    ['parquet_read_snappy', path.join(args.dir, 'duckdb.snappy.parquet')],
    ['parquet_read_edgepipe_zstd', args.cross],
  ];
  for (const [op, file] of reads) {
    await report.run(op, args.ops, async () => {
      const sql = `CREATE TABLE r AS SELECT * FROM read_parquet(${sqlString(file)})`;
      await connection.run('DROP TABLE IF EXISTS r');
      const { seconds } = await measure(op, () => connection.run(sql), timing, dropTable('r'));
      const rows = Number(await scalar('SELECT count(*) FROM r'));
      await connection.run('DROP TABLE r');
      return { seconds, rows };
    });
  }
  await report.run('group_by_mean', args.ops, async () => {
    const aggs = MEAN_COLUMNS.map((c) => `avg(${c}) AS ${c}_mean`).join(', ');
    const sql = `SELECT sensor_id, ${aggs} FROM sensors GROUP BY sensor_id`;
    const { seconds, last } = await measure('group_by_mean', () => connection.run(sql), timing);
    const rows = await last.getRows();
    let check = 0;
    for (const row of rows) for (let i = 1; i <= MEAN_COLUMNS.length; ++i) check += Number(row[i]);
    return { seconds, groups: rows.length, check };
  });
} catch (e) {
  fail(`duckdb: ${e.message}`);
} finally {
  connection?.closeSync();
  instance?.closeSync();
}
report.print();
