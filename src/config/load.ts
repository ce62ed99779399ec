/**
 * Reads `.edgegate.yml`: YAML → strict zod validation → a typed config, with errors that name the file,
 * the field path (`budgets[1].device`) and the line. Never throws for bad input: errors are returned in
 * the report's `ReportError` shape so one broken config does not hide the rest of a run.
 */
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { readRegularTextFile, RegularFileError } from '../io/regular-file.js';
import { yamlSizeProblem, yamlToJs } from '../io/yaml.js';
import { CONFIG_MAX_BYTES, CONFIG_MAX_ITEMS } from '../limits.js';
import type { ReportError } from '../report/types.js';
import { ConfigSchema, EMPTY_CONFIG, type EdgegateConfig } from './schema.js';

/** Error codes of config loading. */
export const CONFIG_ERROR_CODES = [
  'CONFIG_NOT_FOUND',
  'CONFIG_UNREADABLE',
  /** Not a regular file (a directory, FIFO or device). */
  'CONFIG_NOT_A_FILE',
  /** Over CONFIG_MAX_BYTES; refused before reading. */
  'CONFIG_TOO_LARGE',
  /** YAML syntax, duplicate keys, undefined aliases, alias expansion over YAML_MAX_ALIASES. */
  'CONFIG_YAML',
  'CONFIG_INVALID',
] as const;
export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[number];

/** A config problem, for callers that prefer exceptions (`loadConfigOrThrow`). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly code: ConfigErrorCode,
    readonly file: string,
    message: string,
    readonly fieldPath?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface LoadConfigOptions {
  /** true: a missing file is an error (the user named it); false: a missing file means the empty config. */
  readonly required?: boolean;
}

export interface LoadedConfig {
  /** The validated config; the empty config when the file is missing or invalid. */
  readonly config: EdgegateConfig;
  readonly errors: ReportError[];
  /** False when no file was read. */
  readonly found: boolean;
}

/** Formats a zod path as `budgets[1].device`. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else {
      const s = String(p);
      out += /^[A-Za-z_$][\w$-]*$/.test(s) ? (out === '' ? s : `.${s}`) : `[${JSON.stringify(s)}]`;
    }
  }
  return out;
}

/** One error per zod issue; unknown keys become one error each, naming the full path of the key. */
export function zodIssuesToErrors(file: string, issues: readonly z.core.$ZodIssue[], lineOf?: (path: readonly PropertyKey[]) => number | undefined): ReportError[] {
  const out: ReportError[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        const fp = formatFieldPath(path);
        const line = lineOf?.(path);
        out.push({ code: 'CONFIG_INVALID', file, fieldPath: fp, message: `${file}${line ? `:${line}` : ''}: ${fp}: unknown field` });
      }
      continue;
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // Report the branch that got furthest (most specific path), not "invalid input".
      const deepest = issue.errors.flat().sort((a, b) => b.path.length - a.path.length)[0];
      if (deepest && deepest.code !== 'invalid_type') {
        out.push(...zodIssuesToErrors(file, [{ ...deepest, path: [...issue.path, ...deepest.path] } as z.core.$ZodIssue], lineOf));
        continue;
      }
    }
    const fp = formatFieldPath(issue.path);
    const line = lineOf?.(issue.path);
    out.push({ code: 'CONFIG_INVALID', file, fieldPath: fp, message: `${file}${line ? `:${line}` : ''}: ${fp || '(root)'}: ${issue.message}` });
  }
  return out;
}

/** Validates an already-parsed config object (tests, the action's inline config). */
export function parseConfig(data: unknown, file: string, lineOf?: (path: readonly PropertyKey[]) => number | undefined): LoadedConfig {
  // An empty YAML file parses to null: the empty config.
  const result = ConfigSchema.safeParse(data ?? {});
  if (result.success) return { config: result.data, errors: [], found: true };
  return { config: EMPTY_CONFIG, errors: zodIssuesToErrors(file, result.error.issues, lineOf), found: true };
}

/**
 * Loads and validates a config file.
 * @param path file to read (as shown in messages).
 * @returns the config and errors; never throws for a missing, unreadable or invalid file.
 */
export function loadConfig(path: string, options: LoadConfigOptions = {}): LoadedConfig {
  let text: string;
  try {
    text = readRegularTextFile(path, { maxBytes: CONFIG_MAX_BYTES, what: 'config file' });
  } catch (err) {
    const problem = err instanceof RegularFileError ? err.problem : 'UNREADABLE';
    if (problem === 'MISSING') {
      if (!options.required) return { config: EMPTY_CONFIG, errors: [], found: false };
      return { config: EMPTY_CONFIG, errors: [{ code: 'CONFIG_NOT_FOUND', file: path, message: `${path}: config file not found` }], found: false };
    }
    const code: ConfigErrorCode = problem === 'NOT_REGULAR' ? 'CONFIG_NOT_A_FILE' : problem === 'TOO_LARGE' ? 'CONFIG_TOO_LARGE' : 'CONFIG_UNREADABLE';
    const reason = err instanceof RegularFileError ? err.reason : (err as Error).message;
    return { config: EMPTY_CONFIG, errors: [{ code, file: path, message: `${path}: cannot read config: ${reason}` }], found: true };
  }
  return parseConfigText(text, path);
}

/** Parses YAML text as a config (the body of `loadConfig`). */
export function parseConfigText(text: string, file: string): LoadedConfig {
  const tooBig = yamlSizeProblem(text, CONFIG_MAX_ITEMS);
  if (tooBig !== undefined) return { config: EMPTY_CONFIG, found: true, errors: [{ code: 'CONFIG_TOO_LARGE', file, message: `${file}: config has ${tooBig}` }] };
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      config: EMPTY_CONFIG,
      found: true,
      errors: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return { code: 'CONFIG_YAML', file, message: `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: YAML error: ${e.message.split('\n')[0]}` };
      }),
    };
  }
  const lineOf = (path: readonly PropertyKey[]): number | undefined => {
    // Walk as far down the path as the document goes: an unknown key's own line, or its parent's.
    let node: unknown = doc.contents;
    let best: number | undefined;
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
        if (!pair) break;
        const k = pair.key as YamlNode | null;
        if (k?.range) best = lineCounter.linePos(k.range[0]).line;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number') {
        node = node.items[key];
        const n = node as YamlNode | null;
        if (n?.range) best = lineCounter.linePos(n.range[0]).line;
      } else break;
    }
    return best;
  };
  const data = yamlToJs(doc);
  if (data instanceof Error) return { config: EMPTY_CONFIG, found: true, errors: [{ code: 'CONFIG_YAML', file, message: `${file}: YAML error: ${data.message}` }] };
  return parseConfig(data.value, file, lineOf);
}

/** `loadConfig` that throws the first error as a `ConfigError`. */
export function loadConfigOrThrow(path: string, options: LoadConfigOptions = {}): EdgegateConfig {
  const { config, errors } = loadConfig(path, options);
  const e = errors[0];
  if (e) throw new ConfigError(e.code as ConfigErrorCode, e.file, e.message, e.fieldPath);
  return config;
}
