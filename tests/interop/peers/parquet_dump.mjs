#!/usr/bin/env node
// Prints every value of a Parquet file, read by DuckDB or Polars, in the
// canonical text form of docs/interop.md.
import {
  dumpDuckDBQuery, dumpPolarsFrame, fail, loadDuckDB, loadPolars, parseCli, requireEngine,
  sqlIdent, sqlString,
} from './peer_common.mjs';

const USAGE = `usage: parquet_dump.mjs --engine duckdb|polars FILE.parquet [--columns a,b]

Prints the file as canonical text: a header line of name:type cells, then one
line per row, cells separated by tabs (see docs/interop.md).
`;

const { values, positionals } = parseCli(USAGE, {
  engine: { type: 'string' },
  columns: { type: 'string' },
}, { positionals: 1 });
const engine = requireEngine(values.engine);
const file = positionals[0];
if (file === undefined) fail(`missing FILE.parquet\n${USAGE}`);
const columns = values.columns === undefined ? null : values.columns.split(',').filter((c) => c !== '');
if (columns !== null && columns.length === 0) fail('--columns needs at least one column name');

try {
  if (engine === 'duckdb') {
    const duck = await loadDuckDB();
    const instance = await duck.DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const projection = columns === null ? '*' : columns.map(sqlIdent).join(', ');
    await dumpDuckDBQuery(duck, connection, `SELECT ${projection} FROM read_parquet(${sqlString(file)})`);
    connection.closeSync();
    instance.closeSync();
  } else {
    const pl = await loadPolars();
    const df = pl.readParquet(file, columns === null ? {} : { columns });
    await dumpPolarsFrame(pl, df);
  }
} catch (e) {
  fail(`${engine}: ${e.message}`);
}
