#!/usr/bin/env node
// DuckDB's native calls run on libuv's thread pool, which is sized once, on
// first use: set it before anything else loads, or concurrent queries queue
// behind four threads.
process.env.UV_THREADPOOL_SIZE ??= '16';
const { runCli } = await import('./cli.js');
process.exitCode = await runCli(process.argv.slice(2));
