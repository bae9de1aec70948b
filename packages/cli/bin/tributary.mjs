#!/usr/bin/env node
// A checked-in launcher, so package managers can link the command before the
// TypeScript build has produced dist/.
await import('../dist/main.js');
