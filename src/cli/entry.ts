// The `edgegate` bin's entry point (bundled into build/bundle/ by rollup.cli.config.js).
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`edgegate: internal error: ${err instanceof Error && err.stack ? err.stack : String(err)}`);
    process.exitCode = 2;
  },
);
