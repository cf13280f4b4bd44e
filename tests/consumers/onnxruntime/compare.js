// Runs an original and an optimized ONNX model in ONNX Runtime (the npm package onnxruntime-node)
// on the same inputs, compares their outputs and times both -- a consumer outside ruleforge
// checking what `ruleforge optimize --out` writes.
//
//   node compare.js ORIGINAL.onnx OPTIMIZED.onnx [--input NAME=D0,D1,...]... [--reps N]
//                   [--max-error E] [--min-speedup S] [--clock wall|cpu]
//
// Input shapes come from --input (onnxruntime-node before 1.22 does not report them), else from
// the session's input metadata.
// Prints one JSON line: the largest normwise relative error over the outputs
// (||a - b||_2 / ||a||_2), the median and interquartile spread of each model's run time (a
// sample averages enough runs for about 20 ms, runs_per_sample), wall
// and process CPU time (runs interleaved, so machine load falls on both alike), and the
// speed-ups (--min-speedup checks the one of --clock, default wall). Exits 1 when an output is
// missing, differs in shape, or has an error above --max-error (default 1e-4), or when the
// speed-up is below --min-speedup (default 0: not checked); 2 on bad arguments.
'use strict';
const ort = require('onnxruntime-node');

function parseArgs(argv) {
  const a = { files: [], reps: 31, maxError: 1e-4, minSpeedup: 0, shapes: {}, clock: 'wall' };
  for (let i = 0; i < argv.length; ++i) {
    const flag = argv[i];
    if (flag === '--reps') a.reps = parseInt(argv[++i], 10);
    else if (flag === '--max-error') a.maxError = parseFloat(argv[++i]);
    else if (flag === '--min-speedup') a.minSpeedup = parseFloat(argv[++i]);
    else if (flag === '--clock') a.clock = argv[++i];
    else if (flag === '--input') {
      const [name, dims] = (argv[++i] || '').split('=');
      a.shapes[name] = (dims || '').split(',').map((d) => parseInt(d, 10));
    }
    else if (flag.startsWith('--')) throw new Error(`unknown option ${flag}`);
    else a.files.push(flag);
  }
  if (a.files.length !== 2 || !(a.reps >= 1) || !(a.maxError >= 0) || !(a.minSpeedup >= 0) ||
      (a.clock !== 'wall' && a.clock !== 'cpu'))
    throw new Error('usage: node compare.js ORIGINAL.onnx OPTIMIZED.onnx [--input NAME=D0,D1,...]... [--reps N] ' +
      '[--max-error E] [--min-speedup S] [--clock wall|cpu]');
  return a;
}

// A small deterministic generator (mulberry32): the same inputs on every run and machine.
function random(seed) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function feeds(session, shapes, seed) {
  const rand = random(seed);
  const out = {};
  for (const name of session.inputNames) {
    const meta = session.inputMetadata ? session.inputMetadata.find((m) => m.name === name) : undefined;
    const dims = shapes[name] || (meta && meta.shape ? meta.shape : null);
    if (!dims || dims.some((d) => typeof d !== 'number' || !(d >= 1)))
      throw new Error(`input ${name}: no fixed shape (give --input ${name}=D0,D1,...)`);
    const n = dims.reduce((p, d) => p * d, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; ++i) data[i] = rand() * 2 - 1;
    out[name] = new ort.Tensor('float32', data, dims);
  }
  return out;
}

function normwiseError(a, b) {
  let diff = 0, ref = 0;
  for (let i = 0; i < a.length; ++i) {
    diff += (a[i] - b[i]) ** 2;
    ref += a[i] ** 2;
  }
  return ref > 0 ? Math.sqrt(diff / ref) : Math.sqrt(diff);
}

function summary(ms) {
  const s = [...ms].sort((x, y) => x - y);
  const q = (f) => {
    const pos = f * (s.length - 1), lo = Math.floor(pos), hi = Math.min(lo + 1, s.length - 1);
    return s[lo] + (s[hi] - s[lo]) * (pos - lo);
  };
  return { median_ms: q(0.5), spread_ms: q(0.75) - q(0.25), runs: s.length };
}

// Wall time and this process's CPU time (user + system) of one run, in ms: on a shared machine
// the wall time includes waiting for a core, the CPU time does not.
// A sample is `batch` runs (per-run figures returned), so that a sub-millisecond model is not
// timed below the resolution of the CPU-time accounting.
async function timeOnce(session, input, batch) {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < batch; ++i) await session.run(input);
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  return { wall: wall / batch, cpu: (c.user + c.system) / 1e3 / batch };
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  // One thread each: on a shared machine a thread pool's timing measures the scheduler more
  // than the work; ONNX Runtime's own graph optimizations stay on (the default), as a user has.
  const options = { intraOpNumThreads: 1, interOpNumThreads: 1 };
  const [orig, opt] = await Promise.all(a.files.map((f) => ort.InferenceSession.create(f, options)));
  for (const name of orig.inputNames)
    if (!opt.inputNames.includes(name)) throw new Error(`the optimized model has no input '${name}'`);
  const input = feeds(orig, a.shapes, 12345);
  const [ro, rp] = [await orig.run(input), await opt.run(input)];
  let maxError = 0;
  const failures = [];
  for (const name of orig.outputNames) {
    if (!(name in rp)) {
      failures.push(`output '${name}' missing from the optimized model`);
      continue;
    }
    const x = ro[name], y = rp[name];
    if (JSON.stringify(x.dims) !== JSON.stringify(y.dims)) {
      failures.push(`output '${name}': dims ${JSON.stringify(x.dims)} vs ${JSON.stringify(y.dims)}`);
      continue;
    }
    maxError = Math.max(maxError, normwiseError(x.data, y.data));
  }
  if (maxError > a.maxError) failures.push(`normwise relative error ${maxError} > ${a.maxError}`);
  // Warm up, then interleave: orig, opt, opt, orig, ...
  for (let i = 0; i < 3; ++i) {
    await orig.run(input);
    await opt.run(input);
  }
  // Runs per sample: enough for about 20 ms of the original.
  const single = (await timeOnce(orig, input, 1)).wall;
  const batch = Math.max(1, Math.min(1000, Math.ceil(20 / Math.max(single, 1e-3))));
  const to = [], tp = [];
  for (let i = 0; i < a.reps; ++i) {
    if (i % 2 === 0) {
      to.push(await timeOnce(orig, input, batch));
      tp.push(await timeOnce(opt, input, batch));
    } else {
      tp.push(await timeOnce(opt, input, batch));
      to.push(await timeOnce(orig, input, batch));
    }
  }
  const so = summary(to.map((t) => t.wall)), sp = summary(tp.map((t) => t.wall));
  const co = summary(to.map((t) => t.cpu)), cp = summary(tp.map((t) => t.cpu));
  const speedup = so.median_ms / sp.median_ms, cpuSpeedup = co.median_ms / cp.median_ms;
  const checked = a.clock === 'cpu' ? cpuSpeedup : speedup;
  if (a.minSpeedup > 0 && checked < a.minSpeedup)
    failures.push(`${a.clock} speed-up ${checked.toFixed(3)} < ${a.minSpeedup}`);
  console.log(JSON.stringify({ max_rel_error: maxError, runs_per_sample: batch, original: so, optimized: sp, speedup,
    cpu_original: co, cpu_optimized: cp, cpu_speedup: cpuSpeedup, ok: failures.length === 0, failures }));
  return failures.length === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => {
  console.error(`error: ${e.message}`);
  process.exit(2);
});
