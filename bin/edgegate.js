#!/usr/bin/env node
import { main } from '../build/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`edgegate: internal error: ${err && err.stack ? err.stack : err}`);
    process.exitCode = 2;
  },
);
