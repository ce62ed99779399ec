// The `edgegate` bin's entry point (bundled into build/bundle/ by rollup.cli.config.js).
import { main } from './main.js';
import { tightenHeapGrowth } from '../util/heap.js';

tightenHeapGrowth();

// `edgegate check … | head` closes the pipe early: stop quietly, as other CLIs do, instead of dying on
// an unhandled EPIPE with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`edgegate: internal error: ${err instanceof Error && err.stack ? err.stack : String(err)}`);
    process.exitCode = 2;
  },
);
