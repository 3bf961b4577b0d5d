#!/usr/bin/env node
// Reads a CSV file with DuckDB or Polars (types inferred by the engine) and
// prints it in the canonical text form of docs/interop.md.
import {
  dumpDuckDBQuery, dumpPolarsFrame, fail, loadDuckDB, loadPolars, parseCli, requireEngine,
  duckCsvSource,
} from './peer_common.mjs';

const USAGE = `usage: csv_read.mjs --engine duckdb|polars IN.csv

Reads IN.csv (header line, comma-separated, types inferred by the engine) and
prints it as canonical text (see docs/interop.md). Unquoted empty fields are
null, quoted empty fields ("") are empty strings, in both engines.
`;

const { values, positionals } = parseCli(USAGE, { engine: { type: 'string' } }, { positionals: 1 });
const engine = requireEngine(values.engine);
const file = positionals[0];
if (file === undefined) fail(`missing IN.csv\n${USAGE}`);

try {
  if (engine === 'duckdb') {
    const duck = await loadDuckDB();
    const instance = await duck.DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await dumpDuckDBQuery(duck, connection, `SELECT * FROM ${duckCsvSource(file)}`);
    connection.closeSync();
    instance.closeSync();
  } else {
    const pl = await loadPolars();
    await dumpPolarsFrame(pl, pl.readCSV(file));
  }
} catch (e) {
  fail(`${engine}: ${e.message}`);
}

