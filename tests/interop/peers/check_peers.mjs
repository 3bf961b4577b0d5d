#!/usr/bin/env node
// Exits 0 and prints the engine versions when both reference engines load;
// exits 1 with the reason otherwise. Used by PeersAvailable() in
// tests/interop/peer_runner.cc.
import { fail, loadDuckDB, loadPolars, parseCli } from './peer_common.mjs';

parseCli('usage: check_peers.mjs\n\nChecks that DuckDB and Polars load; prints their versions.\n', {});
try {
  const duck = await loadDuckDB();
  const instance = await duck.DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const reader = await connection.runAndReadAll('SELECT version()');
  const duckVersion = reader.getRows()[0][0];
  connection.closeSync();
  instance.closeSync();
  const pl = await loadPolars();
  // Touch the native module: a missing platform package fails here.
  const height = pl.DataFrame({ x: [1, 2] }).height;
  if (height !== 2) fail('polars: unexpected DataFrame height');
  const plVersion = typeof pl.version === 'function' ? pl.version() : (pl.version ?? 'unknown');
  process.stdout.write(`node ${process.version}\nduckdb ${duckVersion}\npolars ${plVersion}\n`);
} catch (e) {
  fail(e.message);
}
