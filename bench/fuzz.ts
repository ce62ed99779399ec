/**
 * Fuzzer: seeded, reproducible mutated inputs (models, and the config/profile/parity families plugged in
 * through bench/fuzz/registry.ts) run through the real `edgegate` CLI in child processes, each capped in
 * address space (`prlimit --as`) and watched by a per-case timeout, and classified:
 * crash / hang / rss / internal / missing-model / corrupt-pass (defects) or ok-with-error / ok.
 *
 *   node --import tsx bench/fuzz.ts [--seed 1] [--group model=10000,config=400,profile=300,parity=400]
 *        [--families a,b] [--only FAMILY#INDEX] [--batch 100] [--jobs 1] [--timeout 60] [--out FILE] [--keep]
 *
 * Cases that end in a defect keep their folder (printed) so they can become regression fixtures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FUZZ_FAMILIES } from './fuzz/registry.js';
import { makeRng } from './fuzz/rng.js';
import { DEFECTS, FUZZ_GROUPS, OUTCOMES, type CaseOutput, type ChildCase, type ChildMessage, type FuzzCase, type FuzzFamily, type FuzzGroup, type Outcome } from './fuzz/types.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const CHILD = join(HERE, 'fuzz', 'child.mjs');
const BUILT_MAIN = join(HERE, '..', 'build', 'cli', 'main.js');

export interface FuzzOptions {
  readonly seed: number;
  /** Cases per group, split over the group's families by their weights. */
  readonly perGroup: Partial<Record<FuzzGroup, number>>;
  /** Only these families (default: all registered). */
  readonly families?: readonly string[];
  /** Only these case ids (`family#index`). */
  readonly only?: readonly string[];
  /** Cases per child process. */
  readonly batch?: number;
  /** Child processes at once. */
  readonly jobs?: number;
  /** A case running longer than this is a hang (seconds). */
  readonly timeoutS?: number;
  /** A child whose peak RSS passes this after a case marks that case `rss` (MB). */
  readonly rssCapMb?: number;
  /** Address-space cap per child (bytes); V8 reserves virtual memory beyond its heap, so this is above the RSS cap */
  readonly addressSpaceBytes?: number;
  /** Keep every case folder (default: only defects'). */
  readonly keep?: boolean;
  readonly workDir?: string;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface CaseResult {
  readonly id: string;
  readonly family: string;
  readonly group: FuzzGroup;
  readonly outcome: Outcome;
  readonly note: string;
  readonly detail: string;
  readonly ms: number;
  readonly dir: string;
}

export interface FuzzTallies {
  readonly seed: number;
  readonly cases: number;
  readonly byGroup: Record<FuzzGroup, Record<Outcome, number>>;
  readonly byFamily: Record<string, Record<Outcome, number>>;
  readonly defects: readonly CaseResult[];
  readonly maxCaseMs: number;
  readonly maxRssMb: number;
  readonly seconds: number;
  /** Wall time inside the children per family (seconds), to see where a campaign's time goes. */
  readonly familySeconds: Record<string, number>;
  /**
   * Cases charged with a crash, hang or RSS after other cases ran in the same child, and so run again alone
   * in a fresh child (whose outcome is the one tallied): id and the first outcome.
   */
  readonly rerunAlone: readonly { readonly id: string; readonly first: string; readonly detail: string }[];
  /** The slowest cases that finished (hangs are defects and listed there). */
  readonly slowest: readonly { readonly id: string; readonly note: string; readonly ms: number; readonly maxRssMb: number }[];
}

const SLOWEST_KEPT = 15;

interface Planned {
  readonly family: FuzzFamily;
  readonly index: number;
  readonly id: string;
}

function plan(options: FuzzOptions): Planned[] {
  const families = FUZZ_FAMILIES.filter((f) => options.families === undefined || options.families.includes(f.name));
  const out: Planned[] = [];
  for (const group of FUZZ_GROUPS) {
    const members = families.filter((f) => f.group === group);
    const total = options.perGroup[group] ?? 0;
    if (members.length === 0 || total <= 0) continue;
    // Smooth weighted round robin: interleaved, so that a partial run still covers every family, and each
    // family gets its weight's share of the group's cases.
    const weights = members.map((f) => f.weight ?? 1);
    const sum = weights.reduce((a, b) => a + b, 0);
    const credit = members.map(() => 0);
    const next = members.map(() => 0);
    for (let k = 0; k < total; k++) {
      let best = 0;
      for (let i = 0; i < members.length; i++) {
        credit[i]! += weights[i]!;
        if (credit[i]! > credit[best]!) best = i;
      }
      credit[best]! -= sum;
      const family = members[best]!;
      const index = next[best]!++;
      out.push({ family, index, id: `${family.name}#${index}` });
    }
  }
  return options.only === undefined ? out : out.filter((p) => options.only!.includes(p.id));
}

/** Anything in the JSON output that carries the code or reason INTERNAL. */
function hasInternal(out: string | undefined): boolean {
  return out !== undefined && /"(code|reason)"\s*:\s*"INTERNAL"/.test(out);
}

function missingModels(c: FuzzCase, out: string | undefined): string[] {
  if (c.expectModels === undefined || c.expectModels.length === 0) return [];
  let paths: Set<string>;
  try {
    const report = JSON.parse(out ?? '') as { models?: { path?: string }[] };
    paths = new Set((report.models ?? []).map((m) => m.path ?? ''));
  } catch {
    return [...c.expectModels];
  }
  return c.expectModels.filter((p) => !paths.has(p));
}

/** The generic verdict on a case that finished inside its child. */
export function classify(family: FuzzFamily, c: FuzzCase, o: CaseOutput, rssCapMb: number): { outcome: Outcome; detail: string } {
  if (o.maxRssMb > rssCapMb) return { outcome: 'rss', detail: `peak RSS ${o.maxRssMb.toFixed(0)} MB` };
  if (o.thrown !== undefined) return { outcome: 'crash', detail: `exception escaped main(): ${o.thrown}` };
  if (hasInternal(o.out) || /\binternal error\b|\[INTERNAL\]/i.test(o.log)) {
    const m = /"message"\s*:\s*"([^"]*)"[^{}]*"code"\s*:\s*"INTERNAL"|"code"\s*:\s*"INTERNAL"[^{}]*"message"\s*:\s*"([^"]*)"/.exec(o.out ?? '');
    return { outcome: 'internal', detail: (m?.[1] ?? m?.[2] ?? o.log).slice(0, 400) };
  }
  const missing = missingModels(c, o.out);
  if (missing.length > 0) return { outcome: 'missing-model', detail: `not in the report: ${missing.join(', ')} (exit ${o.exit}); ${o.log.slice(0, 300)}` };
  const judged = family.judge?.(c, o);
  if (judged !== undefined) return { outcome: judged, detail: `judged ${judged} by ${family.name}; exit ${o.exit}; ${o.log.slice(0, 300)}` };
  if (c.corrupt && o.exit === 0) return { outcome: 'corrupt-pass', detail: 'corrupt input, exit 0' };
  const withError = o.exit !== 0 || /"errors"\s*:\s*\[\s*\{/.test(o.out ?? '');
  return { outcome: withError ? 'ok-with-error' : 'ok', detail: '' };
}

function emptyCounts(): Record<Outcome, number> {
  return Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
}

type Died = { readonly died: 'crash' | 'hang' | 'rss'; readonly detail: string };

/** Current RSS of a process in MB (Linux /proc), or 0 when it is gone. */
function rssMb(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * One child process working through a queue of prepared cases; replaced when it dies, hangs or bloats.
 *
 * Per-case classification stays exact in a batch: the case running when a child dies, hangs or passes the
 * RSS cap is the one charged, and the cases after it run in a fresh child. A case charged after other cases
 * ran in the same child (whose heap may still hold their garbage) is run again alone in a fresh child, and
 * that run's outcome is its outcome; the first outcome is reported through `onRerun`, never dropped.
 */
class Worker {
  private child: ChildProcess | null = null;
  private running: { id: string; timer: NodeJS.Timeout; started: number } | null = null;
  private rssAtKill = 0;

  constructor(
    private readonly options: Required<Pick<FuzzOptions, 'timeoutS' | 'rssCapMb' | 'addressSpaceBytes'>>,
    private readonly onResult: (id: string, o: CaseOutput | Died) => void,
    private readonly onRerun: (id: string, first: Died) => void,
  ) {}

  /** Runs `cases` (ids must be prepared) and resolves when every one has a result. */
  async run(cases: ChildCase[]): Promise<void> {
    let pending = [...cases];
    while (pending.length > 0) {
      const { done, alone } = await this.runChild(pending, false);
      pending = pending.filter((c) => !done.has(c.id));
      if (alone !== undefined) {
        await this.runChild([alone], true);
        pending = pending.filter((c) => c.id !== alone.id);
      }
    }
  }

  private runChild(cases: ChildCase[], isolated: boolean): Promise<{ done: Set<string>; alone?: ChildCase }> {
    const done = new Set<string>();
    let alone: ChildCase | undefined;
    let started = 0;
    /** Charges a defect to the running case, or sets it aside to run alone when others ran before it. */
    const charge = (id: string, d: Died): void => {
      if (!isolated && started > 1) {
        alone = cases.find((c) => c.id === id);
        this.onRerun(id, d);
        return;
      }
      done.add(id);
      this.onResult(id, d);
    };
    return new Promise((resolvePromise) => {
      const child = spawn(
        'prlimit',
        [`--as=${this.options.addressSpaceBytes}`, '--', process.execPath, '--max-old-space-size=2048', '--expose-gc', CHILD],
        { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: { ...process.env, NODE_NO_WARNINGS: '1' } },
      );
      this.child = child;
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-4000);
      });
      let sent = false;
      let killedFor: 'hang' | 'rss' | null = null;
      let stopped = false;
      // Peak RSS is only reported after a case: poll it too, so a case cannot take the machine's memory.
      const poll = setInterval(() => {
        const mb = rssMb(child.pid);
        if (mb > this.options.rssCapMb && this.running !== null && killedFor === null) {
          killedFor = 'rss';
          this.rssAtKill = mb;
          child.kill('SIGKILL');
        }
      }, 200);
      child.on('message', (m: ChildMessage) => {
        if (m.type === 'idle') {
          if (!sent) {
            sent = true;
            child.send({ cases });
          } else child.kill('SIGKILL');
          return;
        }
        if (m.type === 'start') {
          if (stopped) return; // sent before the kill landed: the case runs again in the next child
          started++;
          const timer = setTimeout(() => {
            killedFor = 'hang';
            child.kill('SIGKILL');
          }, this.options.timeoutS * 1000);
          this.running = { id: m.id, timer, started: Date.now() };
          // The child waits for this before it runs the case: the RSS poll and the timer then always
          // charge the case that is really running, however far this process lags behind the child.
          child.send({ type: 'go', id: m.id });
          return;
        }
        clearTimeout(this.running?.timer);
        this.running = null;
        if (stopped) return;
        // Peak RSS never goes down: a child past the cap would mark every later case, so it stops here.
        if (m.maxRssMb > this.options.rssCapMb) {
          stopped = true;
          child.kill('SIGKILL');
          if (!isolated && started > 1) {
            charge(m.id, { died: 'rss', detail: `peak RSS ${m.maxRssMb.toFixed(0)} MB after ${started - 1} other cases in the same child` });
            return;
          }
        }
        done.add(m.id);
        this.onResult(m.id, m);
      });
      child.on('exit', (code, signal) => {
        clearInterval(poll);
        const r = this.running;
        if (r !== null) {
          clearTimeout(r.timer);
          const seconds = ((Date.now() - r.started) / 1000).toFixed(1);
          charge(
            r.id,
            killedFor === 'hang'
              ? { died: 'hang', detail: `no result after ${seconds} s` }
              : killedFor === 'rss'
                ? { died: 'rss', detail: `RSS ${this.rssAtKill.toFixed(0)} MB after ${seconds} s (killed)` }
                : { died: 'crash', detail: `child died (exit ${code}, signal ${signal}) after ${seconds} s: ${stderr.slice(-600)}` },
          );
          this.running = null;
        } else if (!sent && cases.length > 0) {
          // The child never started: attribute it to the first case so the run cannot loop forever.
          done.add(cases[0]!.id);
          this.onResult(cases[0]!.id, { died: 'crash', detail: `child failed to start (exit ${code}, signal ${signal}): ${stderr.slice(-600)}` });
        }
        this.child = null;
        resolvePromise(alone === undefined ? { done } : { done, alone });
      });
    });
  }

  kill(): void {
    this.child?.kill('SIGKILL');
  }
}

/** Runs the campaign and returns the tallies. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzTallies> {
  if (!existsSync(BUILT_MAIN)) throw new Error(`${BUILT_MAIN} is missing: the fuzz children run the built CLI; run \`npm run build\` first`);
  const t0 = Date.now();
  const planned = plan(options);
  const work = options.workDir ?? mkdtempSync(join(tmpdir(), 'edgegate-fuzz-'));
  mkdirSync(work, { recursive: true });
  const rssCapMb = options.rssCapMb ?? 1024;
  const byGroup = Object.fromEntries(FUZZ_GROUPS.map((g) => [g, emptyCounts()])) as Record<FuzzGroup, Record<Outcome, number>>;
  const byFamily: Record<string, Record<Outcome, number>> = {};
  const defects: CaseResult[] = [];
  const meta = new Map<string, { family: FuzzFamily; c: FuzzCase; dir: string }>();
  let maxCaseMs = 0;
  let maxRssMb = 0;
  let done = 0;
  const familySeconds: Record<string, number> = {};
  const slowest: { id: string; note: string; ms: number; maxRssMb: number }[] = [];
  const rerunAlone: { id: string; first: string; detail: string }[] = [];

  const record = (id: string, o: CaseOutput | Died): void => {
    const m = meta.get(id)!;
    let outcome: Outcome;
    let detail: string;
    let ms = 0;
    if ('died' in o) {
      outcome = o.died;
      detail = o.detail;
    } else {
      ({ outcome, detail } = classify(m.family, m.c, o, rssCapMb));
      ms = o.ms;
      maxCaseMs = Math.max(maxCaseMs, o.ms);
      maxRssMb = Math.max(maxRssMb, o.maxRssMb);
      familySeconds[m.family.name] = (familySeconds[m.family.name] ?? 0) + o.ms / 1000;
      if (slowest.length < SLOWEST_KEPT || o.ms > slowest[slowest.length - 1]!.ms) {
        slowest.push({ id, note: m.c.note, ms: Math.round(o.ms), maxRssMb: Math.round(o.maxRssMb) });
        slowest.sort((a, b) => b.ms - a.ms);
        slowest.length = Math.min(slowest.length, SLOWEST_KEPT);
      }
    }
    byGroup[m.family.group][outcome]++;
    (byFamily[m.family.name] ??= emptyCounts())[outcome]++;
    const result: CaseResult = { id, family: m.family.name, group: m.family.group, outcome, note: m.c.note, detail, ms, dir: m.dir };
    if (DEFECTS.has(outcome)) defects.push(result);
    else if (!options.keep) rmSync(m.dir, { recursive: true, force: true });
    meta.delete(id);
    options.onProgress?.(++done, planned.length);
  };

  const batchSize = options.batch ?? 100;
  const jobs = Math.max(1, options.jobs ?? 1);
  let next = 0;
  const lane = async (): Promise<void> => {
    const worker = new Worker(
      { timeoutS: options.timeoutS ?? 60, rssCapMb, addressSpaceBytes: options.addressSpaceBytes ?? 4 * 2 ** 30 },
      record,
      (id, first) => rerunAlone.push({ id, first: first.died, detail: first.detail }),
    );
    while (next < planned.length) {
      const slice = planned.slice(next, next + batchSize);
      next += slice.length;
      const cases: ChildCase[] = slice.map((p) => {
        const dir = join(work, p.id.replace('#', '_'));
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        const c = p.family.make(makeRng(options.seed, p.family.name, p.index), dir, p.index);
        meta.set(p.id, { family: p.family, c, dir });
        return { id: p.id, argv: c.argv, dir };
      });
      await worker.run(cases);
    }
  };
  await Promise.all(Array.from({ length: jobs }, lane));
  if (!options.keep && defects.length === 0 && options.workDir === undefined) rmSync(work, { recursive: true, force: true });
  return { seed: options.seed, cases: planned.length, byGroup, byFamily, defects, maxCaseMs, maxRssMb, seconds: (Date.now() - t0) / 1000, familySeconds, rerunAlone, slowest };
}

function parseGroups(text: string): Partial<Record<FuzzGroup, number>> {
  const out: Partial<Record<FuzzGroup, number>> = {};
  for (const part of text.split(',').filter(Boolean)) {
    const [g, n] = part.split('=');
    if (!(FUZZ_GROUPS as readonly string[]).includes(g!) || !Number.isSafeInteger(Number(n))) throw new Error(`--group expects GROUP=N with GROUP one of ${FUZZ_GROUPS.join(', ')}, got '${part}'`);
    out[g as FuzzGroup] = Number(n);
  }
  return out;
}

/** Text table of the tallies. */
export function formatTallies(t: FuzzTallies): string {
  const head = `${'group/family'.padEnd(26)}${OUTCOMES.map((o) => o.padStart(14)).join('')}`;
  const row = (label: string, c: Record<Outcome, number>): string => `${label.padEnd(26)}${OUTCOMES.map((o) => String(c[o]).padStart(14)).join('')}`;
  const lines = [`seed ${t.seed}: ${t.cases} cases in ${t.seconds.toFixed(0)} s (${(t.cases / t.seconds).toFixed(1)} cases/s); slowest case ${(t.maxCaseMs / 1000).toFixed(1)} s; peak child RSS ${t.maxRssMb.toFixed(0)} MB`, head];
  for (const g of FUZZ_GROUPS) if (OUTCOMES.some((o) => t.byGroup[g][o] > 0)) lines.push(row(g, t.byGroup[g]));
  lines.push('');
  for (const [f, c] of Object.entries(t.byFamily).sort()) lines.push(`${row(`  ${f}`, c)}   ${(t.familySeconds[f] ?? 0).toFixed(0)} s`);
  for (const r of t.rerunAlone) lines.push(`re-run alone: ${r.id} first ${r.first} in a batch (${r.detail.slice(0, 120)})`);
  lines.push('', 'slowest cases:', ...t.slowest.map((s) => `  ${(s.ms / 1000).toFixed(1).padStart(6)} s ${String(s.maxRssMb).padStart(5)} MB  ${s.id}: ${s.note.slice(0, 120)}`));
  for (const d of t.defects.slice(0, 50)) lines.push(`DEFECT ${d.outcome} ${d.id} (${d.note}): ${d.detail.slice(0, 300)}\n    inputs kept in ${d.dir}`);
  return lines.join('\n');
}

async function cli(argv: readonly string[]): Promise<number> {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const options: FuzzOptions = {
    seed: Number(get('seed') ?? 1),
    perGroup: parseGroups(get('group') ?? 'model=10000,config=400,profile=300,parity=400'),
    ...(get('families') ? { families: get('families')!.split(',') } : {}),
    ...(get('only') ? { only: get('only')!.split(',') } : {}),
    batch: Number(get('batch') ?? 100),
    jobs: Number(get('jobs') ?? 1),
    timeoutS: Number(get('timeout') ?? 60),
    keep: argv.includes('--keep'),
    onProgress: (d, n) => {
      if (d % 500 === 0 || d === n) process.stderr.write(`fuzz: ${d}/${n}\n`);
    },
  };
  const tallies = await runFuzz(options);
  const out = resolve(get('out') ?? '.bench-out/fuzz-tallies.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(tallies, null, 2)}\n`);
  console.log(formatTallies(tallies));
  console.log(`tallies written to ${out}`);
  return 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await cli(process.argv.slice(2));
}
