/**
 * Child-process client: runs a list of operations with the REAL `@actions/github` Octokit, which
 * reads GITHUB_API_URL at import time (hence a separate process). Usage:
 *   echo '<json program>' | node --import tsx clients/octokit.ts
 * Program: { token: string, ops: Op[] }. Prints one line `@@RESULT@@ <json>` with one result per op;
 * a failed op yields { error: { status, message, headers, data } } and the next op still runs.
 */
import { getOctokit } from '@actions/github';

type Op =
  | { op: 'rest'; method: string; params?: Record<string, unknown> }
  | { op: 'request'; route: string; params?: Record<string, unknown> }
  | { op: 'paginate'; method: string; params?: Record<string, unknown> }
  /** Iterates pages until an item's body includes `bodyIncludes`; reports how many pages it read. */
  | { op: 'paginateFind'; method: string; params?: Record<string, unknown>; bodyIncludes: string };

interface Program {
  token: string;
  ops: Op[];
}

// The program comes on stdin: a 64 KiB comment body exceeds the per-argument limit of execve.
const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const program = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Program;
const octokit = getOctokit(program.token);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function restMethod(name: string): any {
  const [ns, fn] = name.split('.');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const m = (octokit.rest as any)[ns]?.[fn];
  if (typeof m !== 'function') throw new Error(`unknown rest method ${name}`);
  return m;
}

async function runOp(op: Op): Promise<unknown> {
  switch (op.op) {
    case 'rest': {
      const r = await restMethod(op.method)(op.params ?? {});
      return { status: r.status, headers: r.headers, data: r.data };
    }
    case 'request': {
      const r = await octokit.request(op.route, op.params ?? {});
      return { status: r.status, headers: r.headers, data: r.data };
    }
    case 'paginate':
      return { data: await octokit.paginate(restMethod(op.method), op.params ?? {}) };
    case 'paginateFind': {
      let pages = 0;
      for await (const page of octokit.paginate.iterator(restMethod(op.method), op.params ?? {})) {
        pages++;
        const hit = (page.data as { id: number; body?: string }[]).find((c) => c.body?.includes(op.bodyIncludes));
        if (hit) return { pages, found: hit };
      }
      return { pages, found: null };
    }
  }
}

const results: unknown[] = [];
for (const op of program.ops) {
  try {
    results.push(await runOp(op));
  } catch (error) {
    const e = error as { status?: number; message?: string; response?: { headers?: unknown; data?: unknown } };
    results.push({ error: { status: e.status, message: e.message, headers: e.response?.headers, data: e.response?.data } });
  }
}
process.stdout.write(`@@RESULT@@ ${JSON.stringify(results)}\n`);
