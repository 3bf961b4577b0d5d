// ONNX Runtime peer of `edgepipe bench quant` / `bench model --compare`.
//
//   node quant_ort.mjs --models a.onnx,b.onnx --batches 1,32 --threads 1,2 --runs 200 --warmup 20
//
// One session per (model, threads) (intraOpNumThreads, sequential, all graph
// optimizations); for each batch, a random float32 input of the model's
// shape (dim 0 = batch), `warmup` untimed runs, then `runs` runs each timed
// with process.hrtime around `await session.run(feeds)`. The samples
// therefore include onnxruntime-node's JS binding overhead (tens of
// microseconds per call), which ORT figures measured from C/C++ or Python
// do not have. stdout: one JSON object; exit 3 when onnxruntime-node is
// not installed.
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, 'package.json'));
let ort;
try {
  ort = require('onnxruntime-node');
} catch (e) {
  process.stderr.write(`quant_ort.mjs: error: cannot load onnxruntime-node: ${e.message}\n`);
  process.exit(3);
}

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const list = (s) => s.split(',').filter((x) => x.length);

async function main() {
  const models = list(arg('--models', ''));
  const batches = list(arg('--batches', '1')).map(Number);
  const threadsList = list(arg('--threads', '1')).map(Number);
  const runs = Number(arg('--runs', '200'));
  const warmup = Number(arg('--warmup', '20'));
  const out = { engine: 'onnxruntime-node', version: ort.env.versions?.common ?? 'unknown', node: process.version, results: [] };
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  for (const model of models) {
    for (const threads of threadsList) {
      let session;
      try {
        session = await ort.InferenceSession.create(model, {
          intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
        });
      } catch (e) {
        out.results.push({ model, threads, error: String(e.message ?? e) });
        continue;
      }
      const meta = session.inputMetadata?.[0];
      for (const batch of batches) {
        const width = Number(arg('--width', '0')) || (meta && meta.shape ? Number(meta.shape[1]) : 0);
        const data = new Float32Array(batch * width);
        for (let i = 0; i < data.length; ++i) data[i] = rand();
        const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, [batch, width]) };
        try {
          for (let i = 0; i < warmup; ++i) await session.run(feeds);
          const seconds = [];
          for (let i = 0; i < runs; ++i) {
            const t0 = process.hrtime.bigint();
            await session.run(feeds);
            seconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
          }
          out.results.push({ model, threads, batch, seconds });
        } catch (e) {
          out.results.push({ model, threads, batch, error: String(e.message ?? e) });
        }
        process.stderr.write(`progress ${path.basename(model)} b${batch} t${threads}\n`);
      }
    }
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(`quant_ort.mjs: error: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
