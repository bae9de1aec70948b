// `npm run bench`: every benchmark, figures printed. Not a test: nothing here
// passes or fails; the figures are recorded in bench/README.md.
import { analysisBench } from './analysis-latency.js';
import { latencyBench } from './latency.js';
import { loadBench } from './load.js';
import { streamBench } from './stream.js';
import { tpchBench } from './tpch.js';

console.log(`Tributary benchmarks — node ${process.version}, ${new Date().toISOString()}`);
await analysisBench();
await latencyBench();
await streamBench();
await loadBench();
await tpchBench();
