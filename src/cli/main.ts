/**
 * The `edgegate` command line. Exit codes: 0 ok, 1 gate failed, 2 usage or input error.
 * The static check never loads onnxruntime-node (its native binary is only needed for parity/calibrate).
 */
import { parseArgs } from 'node:util';
import { runCheck } from '../check.js';
import { renderText } from '../report/text.js';
import type { Report, ReportError } from '../report/types.js';
import { TOOL_VERSION } from '../version.js';
import { loadConfig } from '../config/load.js';
import { mergeGateOptions } from '../gate/options.js';
import { decideRun, exitCodeOf, renderJsonChunks, type CheckRun } from '../pipeline.js';
import { DEFAULT_GATE_OPTIONS, FAIL_ON_CONDITIONS, type FailOnCondition } from '../gate/types.js';
import { COMMAND_HELP, OutputFileError, UsageError, splitList, wantsHelp, writeOutputFile } from './args.js';

export const EXIT = { OK: 0, GATE_FAILED: 1, USAGE: 2 } as const;

const USAGE = `usage:
  edgegate check MODEL... [--device ID|PATH[,ID...]]... [--no-devices] [--dim NAME=VALUE]... [--format text|json|markdown]
                 [--config FILE] [--out FILE] [--rules full|op-names]
                 [--fail-on unsupported,budget,error|never] [--base GIT-REF]
  edgegate calibrate MODEL... --device ID|PATH [--out FILE] [--id ID] [--force]
  edgegate calibrate --kernels --device ID|PATH [--grid full|small] [MODEL...] [--force]
  edgegate parity reference|run|report|compare ...   (see docs/parity.md)
  edgegate --version
  edgegate COMMAND --help

Exit codes: 0 ok, 1 gate failed, 2 usage or input error.
`;

export { UsageError };

/** Parses `NAME=VALUE` dimension pins; VALUE must be a positive integer. */
export function parseDims(values: readonly string[]): Record<string, number> {
  const dims: Record<string, number> = {};
  for (const v of values) {
    const m = /^([^=\s]+)=(\d+)$/.exec(v.trim());
    if (!m || Number(m[2]) <= 0) throw new UsageError(`--dim expects NAME=VALUE with a positive integer VALUE, got '${v}'`);
    dims[m[1]!] = Number(m[2]);
  }
  return dims;
}

const FORMATS = ['text', 'json', 'markdown'] as const;
type Format = (typeof FORMATS)[number];

function assertFormat(v: string): asserts v is Format {
  if (!(FORMATS as readonly string[]).includes(v)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got '${v}'`);
}

/** Conditions the CLI gates on by default (no baseline here, so no `regression`). */
export const CLI_DEFAULT_FAIL_ON: readonly FailOnCondition[] = ['unsupported', 'budget', 'error'];

/** Parses `--fail-on` (comma-separated conditions, or `never`). */
export function parseFailOn(value: string): Set<FailOnCondition> {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 1 && items[0] === 'never') return new Set();
  for (const i of items) {
    if (!(FAIL_ON_CONDITIONS as readonly string[]).includes(i)) {
      throw new UsageError(`--fail-on takes ${FAIL_ON_CONDITIONS.join(', ')} or never, got '${i}'`);
    }
  }
  return new Set(items as FailOnCondition[]);
}

/** Exit code for a report alone (no base), decided by the same gate as the action. */
export function exitCodeFor(report: Report, failOn: ReadonlySet<FailOnCondition> = new Set(CLI_DEFAULT_FAIL_ON)): number {
  return exitCodeOf(decideRun({ report }, { ...DEFAULT_GATE_OPTIONS, failOn }));
}

/** Printed when no device was checked: graph statistics alone are not a check. */
export const NO_DEVICE_WARNING =
  'edgegate: warning: nothing was checked against a device: give --device ID (or `devices:` in .edgegate.yml), or --no-devices for graph statistics only\n';

async function checkCommand(argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(COMMAND_HELP.check);
    return EXIT.OK;
  }
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      device: { type: 'string', multiple: true, short: 'd' },
      dim: { type: 'string', multiple: true },
      format: { type: 'string', default: 'text' },
      config: { type: 'string' },
      out: { type: 'string', short: 'o' },
      rules: { type: 'string', default: 'full' },
      'fail-on': { type: 'string', default: CLI_DEFAULT_FAIL_ON.join(',') },
      base: { type: 'string' },
      'no-devices': { type: 'boolean' },
    },
  });
  if (positionals.length === 0) throw new UsageError('check needs at least one MODEL file');
  const failOn = parseFailOn(values['fail-on']!);
  const format = values.format!;
  assertFormat(format);
  if (values.rules !== 'full' && values.rules !== 'op-names') throw new UsageError(`--rules must be full or op-names, got '${values.rules}'`);
  const configPath = values.config ?? '.edgegate.yml';
  const devices = splitList('device', values.device ?? []);
  if (values['no-devices'] && devices.length > 0) throw new UsageError('--no-devices and --device exclude each other');
  const head = await runCheck({
    models: positionals,
    devices,
    dims: parseDims(values.dim ?? []),
    configPath,
    configExplicit: values.config !== undefined,
    ruleMode: values.rules,
  });
  const run = await decideCli(head, positionals, { base: values.base, devices, configPath, configExplicit: values.config !== undefined, failOn });
  const body = format === 'json' ? renderJsonChunks(run) : [format === 'markdown' ? await renderMarkdownBody(run) : renderText(run.report, run.decision)];
  if (values.out) writeOutputFile(values.out, body);
  else for (const chunk of body) process.stdout.write(chunk);
  // Errors go to stderr in one line each when stdout does not already show them (the text report does),
  // so a JSON consumer still sees a clean document and a terminal user reads each error once.
  if (format !== 'text' || values.out) for (const e of run.report.errors) process.stderr.write(`edgegate: error [${e.code}] ${e.message}\n`);
  const code = exitCodeOf(run);
  if ((run.report.devices ?? []).length === 0 && !values['no-devices'] && !run.report.errors.some((e) => e.code.startsWith('PROFILE_'))) {
    process.stderr.write(NO_DEVICE_WARNING);
    return Math.max(code, EXIT.USAGE);
  }
  return code;
}

/** Gather the base (with `--base`) and decide, with the same gate options as the action. */
async function decideCli(
  head: Report,
  models: readonly string[],
  o: { readonly base: string | undefined; readonly devices: readonly string[]; readonly configPath: string; readonly configExplicit: boolean; readonly failOn: ReadonlySet<FailOnCondition> },
): Promise<CheckRun> {
  const config = loadConfig(o.configPath, { required: o.configExplicit }).config;
  const options = mergeGateOptions({ failOn: o.failOn }, config);
  if (o.base === undefined) return decideRun({ report: head }, options);
  const { gatherLocalBase, BaseRefError } = await import('../git/local-base.js');
  const errors: ReportError[] = [];
  try {
    const base = await gatherLocalBase(o.base, models, { devices: o.devices, configPath: o.configPath, check: runCheck }, errors);
    return decideRun({ report: { ...head, errors: [...head.errors, ...errors] }, base }, options);
  } catch (err) {
    if (err instanceof BaseRefError) throw new UsageError(err.message);
    throw err;
  }
}

async function renderMarkdownBody(run: CheckRun): Promise<string> {
  // The action's renderer on the same CheckRun: the CLI's markdown is exactly the body the action posts.
  const { renderMarkdown } = await import('../report/markdown.js');
  return renderMarkdown({ ...run, ...(run.report.changes ? { changes: run.report.changes } : {}) });
}

type Command = (argv: readonly string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  check: async () => checkCommand,
  calibrate: async () => ((await import('./calibrate-command.js')) as { calibrateCommand: Command }).calibrateCommand,
  parity: async () => ((await import('./parity-command.js')) as { parityCommand: Command }).parityCommand,
};

/** Runs the CLI and returns the exit code. Usage and input errors print one line, never a stack trace. */
export async function main(argv: readonly string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(USAGE);
    return cmd === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (cmd === '--version' || cmd === '-v') {
    process.stdout.write(`${TOOL_VERSION}\n`);
    return EXIT.OK;
  }
  const load = COMMANDS[cmd];
  if (!load) {
    process.stderr.write(`edgegate: unknown command '${cmd}'\n${USAGE}`);
    return EXIT.USAGE;
  }
  try {
    return await (await load())(rest);
  } catch (err) {
    if (err instanceof UsageError || (err as NodeJS.ErrnoException).code?.startsWith?.('ERR_PARSE_ARGS')) {
      process.stderr.write(`edgegate: ${(err as Error).message}\n${cmd in COMMAND_HELP ? COMMAND_HELP[cmd as keyof typeof COMMAND_HELP] : USAGE}`);
      return EXIT.USAGE;
    }
    if (err instanceof OutputFileError) {
      process.stderr.write(`edgegate: ${err.message}\n`);
      return EXIT.USAGE;
    }
    throw err;
  }
}
