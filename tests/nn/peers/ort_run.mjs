// Runs an ONNX model with ONNX Runtime (onnxruntime-node) on a float32 .npy
// input and writes the first output as .npy. Optionally times it.
//
//   node ort_run.mjs --model m.onnx --input x.npy --out y.npy [--threads 1]
//                    [--bench 200 --warmup 20]   (prints JSON timings on stdout)
//   node ort_run.mjs --check                      (prints the ORT version)
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const require = createRequire(path.join(root, 'package.json'));
const ort = require('onnxruntime-node');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

function readNpy(file) {
  const b = fs.readFileSync(file);
  if (b.length < 10 || b.readUInt8(0) !== 0x93 || b.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${file}: not an .npy file`);
  const major = b.readUInt8(6);
  const hlen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = b.toString('latin1', start, start + hlen);
  if (!header.includes("'descr': '<f4'") || header.includes("'fortran_order': True")) throw new Error(`${file}: need float32 C-order, header ${header}`);
  const m = header.match(/'shape': \(([^)]*)\)/);
  const shape = m[1].split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  const data = b.subarray(start + hlen);
  const f = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length));
  return { shape, data: f };
}

function writeNpy(file, shape, data) {
  let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const unpadded = 10 + dict.length + 1;
  dict += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.writeUInt8(0x93, 0);
  head.write('NUMPY', 1, 'latin1');
  head.writeUInt8(1, 6);
  head.writeUInt8(0, 7);
  head.writeUInt16LE(dict.length, 8);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(dict, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

async function main() {
  if (process.argv.includes('--check')) {
    console.log(JSON.stringify({ node: process.version, onnxruntime: ort.env.versions?.common ?? 'unknown' }));
    return;
  }
  const threads = Number(arg('--threads', '1'));
  const session = await ort.InferenceSession.create(arg('--model'), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const x = readNpy(arg('--input'));
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', x.data, x.shape) };
  const result = await session.run(feeds);
  const y = result[session.outputNames[0]];
  const out = arg('--out');
  if (out) writeNpy(out, y.dims, y.data);
  const runs = Number(arg('--bench', '0'));
  if (runs > 0) {
    const warmup = Number(arg('--warmup', '20'));
    for (let i = 0; i < warmup; ++i) await session.run(feeds);
    const times = [];
    for (let i = 0; i < runs; ++i) {
      const t0 = process.hrtime.bigint();
      await session.run(feeds);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    console.log(JSON.stringify({ engine: 'onnxruntime-node', version: ort.env.versions?.common, threads, runs,
      median_ms: times[Math.floor(runs / 2)], min_ms: times[0], p90_ms: times[Math.floor(runs * 0.9)] }));
  }
}

main().catch((e) => {
  console.error(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
