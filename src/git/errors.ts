/** Named errors of the git layer. Each carries its data fields and wraps the cause. */

/** A git command exited non-zero. `stderr` is kept (git never prints tokens; URLs are redacted). */
export class GitCommandError extends Error {
  readonly args: readonly string[];
  readonly exitCode: number | null;
  readonly stderr: string;
  constructor(args: readonly string[], exitCode: number | null, stderr: string, options?: { cause?: unknown }) {
    super(`git ${args.join(' ')} failed (exit ${exitCode}): ${redact(stderr.trim()).split('\n').slice(-3).join(' | ')}`, options);
    this.name = 'GitCommandError';
    this.args = args;
    this.exitCode = exitCode;
    this.stderr = redact(stderr);
  }
}

/** Strips credentials from URLs such as https://x-access-token:TOKEN@github.com/. */
export function redact(text: string): string {
  return text.replace(/(\w+:\/\/)[^/\s@]+@/g, '$1***@');
}

/** The three-dot diff found no merge base: the clone is shallow. */
export class NoMergeBaseError extends Error {
  readonly base: string;
  readonly head: string;
  constructor(base: string, head: string, options?: { cause?: unknown }) {
    super(`no merge base between ${base} and ${head}: the clone's history is too shallow. Set \`fetch-depth: 0\` on actions/checkout.`, options);
    this.name = 'NoMergeBaseError';
    this.base = base;
    this.head = head;
  }
}

/** A commit EdgeGate needs is not in the clone, and fetching it failed. */
export class MissingCommitError extends Error {
  readonly sha: string;
  readonly role: string;
  constructor(sha: string, role: string, options?: { cause?: unknown }) {
    super(
      `The ${role} commit ${sha} is not in the clone: actions/checkout fetches a single commit by default. ` +
        `Set \`fetch-depth: 0\` on actions/checkout, or run \`git fetch --depth=1 origin ${sha}\` before EdgeGate` +
        ` (EdgeGate tried that fetch itself${options?.cause instanceof Error ? `: ${options.cause.message}` : ''}).`,
      options,
    );
    this.name = 'MissingCommitError';
    this.sha = sha;
    this.role = role;
  }
}

/** A file is a Git LFS pointer and could not be smudged. */
export class LfsPointerError extends Error {
  readonly file: string;
  constructor(file: string, detail: string, options?: { cause?: unknown }) {
    super(`${file} is a Git LFS pointer, not the model (${detail}). Use actions/checkout with \`lfs: true\` so the real file is checked out.`, options);
    this.name = 'LfsPointerError';
    this.file = file;
  }
}

/** An external-data location that leaves the model's folder or is absolute. */
export class ExternalDataPathError extends Error {
  readonly file: string;
  readonly location: string;
  constructor(file: string, location: string) {
    super(`${file}: external data location ${JSON.stringify(location)} is absolute or leaves the model's folder`);
    this.name = 'ExternalDataPathError';
    this.file = file;
    this.location = location;
  }
}
