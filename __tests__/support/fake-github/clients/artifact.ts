/**
 * Child-process client: runs operations with the REAL `@actions/artifact` DefaultArtifactClient,
 * which reads ACTIONS_RUNTIME_TOKEN / ACTIONS_RESULTS_URL / GITHUB_API_URL from the environment.
 *   echo '<json program>' | node --import tsx clients/artifact.ts
 * Program: { ops: Op[] }. Prints `@@RESULT@@ <json>`; a failed op yields { error: { name, message } }.
 */
import { DefaultArtifactClient } from '@actions/artifact';

type Op =
  | { op: 'upload'; name: string; files: string[]; root: string; options?: Record<string, unknown> }
  | { op: 'list'; options?: Record<string, unknown> }
  | { op: 'get'; name: string; options?: Record<string, unknown> }
  | { op: 'download'; id: number; options?: Record<string, unknown> }
  | { op: 'delete'; name: string; options?: Record<string, unknown> };

// The program comes on stdin: a 64 KiB comment body exceeds the per-argument limit of execve.
const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const program = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { ops: Op[] };
const client = new DefaultArtifactClient();

async function runOp(op: Op): Promise<unknown> {
  switch (op.op) {
    case 'upload':
      return client.uploadArtifact(op.name, op.files, op.root, op.options);
    case 'list':
      return client.listArtifacts(op.options);
    case 'get':
      return client.getArtifact(op.name, op.options);
    case 'download':
      return client.downloadArtifact(op.id, op.options);
    case 'delete':
      return client.deleteArtifact(op.name, op.options);
  }
}

const results: unknown[] = [];
for (const op of program.ops) {
  try {
    results.push(await runOp(op));
  } catch (error) {
    const e = error as Error;
    results.push({ error: { name: e.name, message: e.message } });
  }
}
process.stdout.write(`@@RESULT@@ ${JSON.stringify(results)}\n`);
