#!/usr/bin/env node
// Container health probe with nothing but Node.js (the slim image has no curl):
//   healthcheck.mjs http://127.0.0.1:8000/health/live   → 2xx answer within the timeout
//   healthcheck.mjs tcp://127.0.0.1:50061               → the port accepts a connection
// Exits 0 when healthy, 1 otherwise, with one line saying why.
import { connect } from 'node:net';

const TIMEOUT_MS = Number(process.env.HEALTHCHECK_TIMEOUT_MS ?? 2500);

async function probe(target) {
  const url = new URL(target);
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!response.ok) throw new Error(`${target} answered ${response.status}`);
    return `${target} answered ${response.status}`;
  }
  if (url.protocol === 'tcp:') {
    const port = Number(url.port);
    if (!url.hostname || !port) throw new Error(`${target} needs a host and a port`);
    await new Promise((resolve, reject) => {
      const socket = connect({ host: url.hostname, port, timeout: TIMEOUT_MS });
      socket.once('connect', () => {
        socket.end();
        resolve();
      });
      socket.once('timeout', () => {
        socket.destroy();
        reject(new Error(`${target}: no connection within ${TIMEOUT_MS} ms`));
      });
      socket.once('error', reject);
    });
    return `${target} accepts connections`;
  }
  throw new Error(`unsupported probe ${target}: use http://, https:// or tcp://`);
}

const target = process.argv[2];
if (!target) {
  process.stderr.write('usage: healthcheck.mjs <http://host:port/path | tcp://host:port>\n');
  process.exit(2);
}
try {
  process.stdout.write(`${await probe(target)}\n`);
} catch (error) {
  // fetch() hides the reason (ECONNREFUSED, a DNS failure) in `cause`.
  const reason =
    error instanceof Error ? [error.message, error.cause?.message].filter(Boolean).join(': ') : error;
  process.stderr.write(`unhealthy: ${reason}\n`);
  process.exit(1);
}
