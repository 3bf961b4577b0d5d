#!/usr/bin/env node
// `edgepipe bench io` peer: times the io scenario with nodejs-polars.
// Protocol (one JSON object on stdout, progress on stderr): bench_common.mjs.
import path from 'node:path';
import {
  MEAN_COLUMNS, Report, fail, fileBytes, loadEngine, measure, packageVersion, parseIoArgs,
} from './bench_common.mjs';

const USAGE = `usage: io_polars.mjs --csv FILE --dir DIR [--runs N] [--warmup N] [--threads N]
         [--cross EDGEPIPE.parquet] [--ops op,op,...]

Times with nodejs-polars, each operation warmed up then run N times:
  csv_read                    pl.readCSV(FILE) (default inference)
  parquet_write_zstd|snappy   df.writeParquet(DIR/polars.<codec>.parquet, {compression})
  parquet_read_zstd|snappy    pl.readParquet of those files (all columns)
  parquet_read_edgepipe_zstd  pl.readParquet(--cross FILE)
  group_by_mean               df.groupBy('sensor_id').agg(mean of ax..gz)
Prints one JSON object with every run's seconds. --threads sets
POLARS_MAX_THREADS (default: Polars uses every core).
`;

const args = parseIoArgs(USAGE);
if (args.threads !== undefined) process.env.POLARS_MAX_THREADS = String(args.threads);
const mod = await loadEngine('nodejs-polars');
const pl = mod.default ?? mod;

const report = new Report('polars');
report.set('package_version', packageVersion('nodejs-polars'));
report.set('version', String(pl.version ?? packageVersion('nodejs-polars')));
report.set('node', process.version);
report.set('threads', args.threads ?? null);

try {
  const timing = { warmup: args.warmup, runs: args.runs };
  let table;  // the CSV read into memory: input of the writes and the group-by
  await report.run('csv_read', args.ops, async () => {
    const { seconds, last } = await measure('csv_read', () => pl.readCSV(args.csv), timing);
    table = last;
    return { seconds, rows: last.height };
  });
  if (table === undefined) table = pl.readCSV(args.csv);

  for (const codec of ['zstd', 'snappy']) {
    const file = path.join(args.dir, `polars.${codec}.parquet`);
    await report.run(`parquet_write_${codec}`, args.ops, async () => {
      const { seconds } = await measure(`parquet_write_${codec}`,
        () => table.writeParquet(file, { compression: codec }), timing);
      return { seconds, bytes: fileBytes(file), file };
    });
  }
  const reads = [
    ['parquet_read_zstd', path.join(args.dir, 'polars.zstd.parquet')],
    ['parquet_read_snappy', path.join(args.dir, 'polars.snappy.parquet')],
    ['parquet_read_edgepipe_zstd', args.cross],
  ];
  for (const [op, file] of reads) {
    await report.run(op, args.ops, async () => {
      const { seconds, last } = await measure(op, () => pl.readParquet(file), timing);
      return { seconds, rows: last.height };
    });
  }
  await report.run('group_by_mean', args.ops, async () => {
    const aggs = MEAN_COLUMNS.map((c) => pl.col(c).mean().alias(`${c}_mean`));
    const { seconds, last } = await measure('group_by_mean',
      () => table.groupBy('sensor_id').agg(...aggs), timing);
    // Sum of every mean: the harness compares it across engines.
    let check = 0;
    for (const c of MEAN_COLUMNS) for (const v of last.getColumn(`${c}_mean`).toArray()) check += v;
    return { seconds, groups: last.height, check };
  });
} catch (e) {
  fail(`polars: ${e.message}`);
}
report.print();
