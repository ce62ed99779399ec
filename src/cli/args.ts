/**
 * Argument handling shared by the CLI commands: per-command help, list flags that take commas, and output
 * files written with an error that names the file instead of a stack trace.
 */
import { writeFileSync } from 'node:fs';
import { writeFileChunks } from '../io/write-chunks.js';

/** Bad command-line usage: printed as one line with the command's usage, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `--help` text of each command (printed on `edgegate CMD --help`, exit 0). */
export const COMMAND_HELP = {
  check: `usage: edgegate check MODEL... [options]

Checks ONNX models against device profiles: op and quantization support, latency/RAM/flash estimates and
budgets. Exit codes: 0 ok, 1 the gate failed, 2 usage or input error (or nothing to check against).

  -d, --device ID|PATH[,ID...]  device profile id or file; repeat or separate with commas
                                (default: devices: in the config)
      --no-devices              graph statistics only, without any device
      --dim NAME=VALUE          pin a symbolic dimension (repeatable)
      --format text|json|markdown  output format (markdown: the action's PR comment); default text
      --config FILE             config file; default .edgegate.yml when present
  -o, --out FILE                write the output to FILE instead of stdout
      --rules full|op-names     full rules, or op names only (onnxruntime's checker view); default full
      --fail-on LIST|never      conditions that fail: unsupported,budget,error,regression; default
                                unsupported,budget,error
      --base GIT-REF            compare with the models at a git commit, like a pull request
  -h, --help                    this help
`,
  calibrate: `usage: edgegate calibrate MODEL... --device ID|PATH [--out FILE] [--id ID] [--force]
       edgegate calibrate --kernels --device ID|PATH [--grid full|small] [--runtime external:CMD] [MODEL...] [--force]

Times models (or generated single-op kernels) on this host, or through an external runtime, and writes a
calibrated copy of the device profile (id <id>-calibrated unless --id). Refuses a host that is not the
profile's platform unless --force, which the calibrated profile records; an external runtime that reports
its machine (edgegate parity runtime does) is checked the same way. With --runtime the whole grid goes to
the runtime in one time-batch call, each kernel timed until its median is stable (at most --runs runs).
On this host each model or kernel runs in --rounds sessions of --runs runs (defaults 3 x 30 for models,
6 x 20 for kernels) and the fastest session counts; kernels with no session on an undisturbed machine
(a speed sentinel read around each one) get up to --rounds more.
`,
} as const;

/** True when the arguments ask for help (`-h`, `--help`) before any `--` separator. */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

/**
 * Values of a repeatable list flag where each value may hold several items separated by commas
 * (`--device a,b --device c`), as the action's `devices` input does. Empty items are an error.
 */
export function splitList(flag: string, values: readonly string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    const items = v.split(',').map((s) => s.trim());
    if (items.some((s) => s === '')) throw new UsageError(`--${flag} '${v}' has an empty item`);
    out.push(...items);
  }
  return out;
}

/** The output file could not be written. Exit 2, naming the file and the reason. */
export class OutputFileError extends Error {
  override readonly name = 'OutputFileError';
  constructor(
    readonly file: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot write ${file}: ${reason}`, options);
  }
}

const WRITE_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'a part of its path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
};

/** Writes `text` (a string, or its pieces in order) to `file` (no folders are created: a typo in the path should not make a tree). */
export function writeOutputFile(file: string, text: string | Iterable<string>): void {
  try {
    if (typeof text === 'string') writeFileSync(file, text);
    else writeFileChunks(file, text);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? '';
    throw new OutputFileError(file, WRITE_REASONS[code] ?? (cause instanceof Error ? cause.message : String(cause)), { cause });
  }
}
