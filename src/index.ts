/** Action entry point (bundled to dist/index.js). */
import { run } from './action/main.js';
import { tightenHeapGrowth } from './util/heap.js';

tightenHeapGrowth();

await run();
