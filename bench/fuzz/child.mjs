// Fuzz child: runs the cases the driver sends, one after another, in this process (`main()` of the built
// CLI, build/cli/main.js: plain JavaScript, because a TypeScript loader thread alone reserves ~12 GB of
// address space and could not run under the cap), and reports each one's start and end over IPC. The
// driver caps this process's address space, polls its RSS and watches the time, so a case that crashes,
// hangs or bloats it is attributed to the case that was running: each case waits for the driver's `go`, so the
// driver always knows which case runs. Messages: ChildMessage and DriverMessage in types.ts.
import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../build/cli/main.js';
import { tightenHeapGrowth } from '../../build/util/heap.js';

// As the CLI's entry point (src/cli/entry.ts) does before main().
tightenHeapGrowth();

const LOG_CAP = 64 * 1024;
const OUT_CAP = 4 * 1024 * 1024;

/**
 * A report too large to send whole (many nodes × devices): its models, errors and INTERNAL warnings.
 * Read in pieces without the per-node lists (one entry per line, as renderJsonChunks writes them):
 * read and parsed whole, a 100,000-node report on three devices (104 MB) takes this process ~250 MB past
 * what the check itself used, which the driver's RSS poll would charge to the case. An INTERNAL reason
 * inside a dropped list is kept.
 */
function summarize(file) {
  const kept = [];
  const nodeInternal = [];
  const keepLine = (line) => {
    if (/^ *\{"index":/.test(line)) {
      if (line.includes('"reason":"INTERNAL"') && nodeInternal.length < 10) nodeInternal.push({ code: 'INTERNAL', message: line.slice(0, 500) });
    } else kept.push(line);
  };
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    let rest = '';
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) {
      const lines = (rest + buf.toString('utf8', 0, n)).split('\n');
      rest = lines.pop();
      for (const line of lines) keepLine(line);
    }
    keepLine(rest);
  } finally {
    closeSync(fd);
  }
  try {
    const r = JSON.parse(kept.join('\n'));
    const internal = (list) => (Array.isArray(list) ? list.filter((w) => w?.code === 'INTERNAL') : []);
    const models = Array.isArray(r.models) ? r.models.map((m) => ({ path: m.path, errors: m.errors, warnings: internal(m.warnings) })) : undefined;
    return JSON.stringify({ summarized: true, errors: r.errors, models, ...(nodeInternal.length > 0 ? { nodeInternal } : {}) });
  } catch {
    return kept.join('\n').slice(0, OUT_CAP);
  }
}

async function runOne(c) {
  const outFile = join(c.dir, '.fuzz-out');
  rmSync(outFile, { force: true });
  const argv = c.argv.map((a) => a.split('{out}').join(outFile));
  let log = '';
  const capture = (chunk) => {
    if (log.length < LOG_CAP) log += String(chunk).slice(0, LOG_CAP - log.length);
    return true;
  };
  const stdout = process.stdout.write;
  const stderr = process.stderr.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  const cwd = process.cwd();
  const t0 = performance.now();
  let exit = null;
  let thrown;
  try {
    process.chdir(c.dir);
    exit = await main(argv);
  } catch (err) {
    thrown = `${err?.name ?? 'Error'}: ${err?.message ?? String(err)}`.slice(0, 2000);
  } finally {
    process.chdir(cwd);
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
  const ms = performance.now() - t0;
  let out;
  if (existsSync(outFile)) {
    out = statSync(outFile).size > OUT_CAP ? summarize(outFile) : readFileSync(outFile, 'utf8');
  }
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  return { type: 'end', id: c.id, exit, ...(thrown !== undefined ? { thrown } : {}), ...(out !== undefined ? { out } : {}), log, maxRssMb, ms };
}

let go = null;
process.on('message', (msg) => {
  if (msg.type === 'go') {
    go?.();
    return;
  }
  void (async () => {
    for (const c of msg.cases) {
      // Runs a case only once the driver has registered it as running (see the driver's 'go').
      await new Promise((resolve) => {
        go = resolve;
        process.send({ type: 'start', id: c.id });
      });
      process.send(await runOne(c));
      // The next case should not inherit this one's garbage (the driver starts it with --expose-gc).
      if (globalThis.gc && process.memoryUsage().heapUsed > 128 * 1024 * 1024) globalThis.gc();
    }
    process.send({ type: 'idle' });
  })();
});
process.send({ type: 'idle' });
