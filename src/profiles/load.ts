/**
 * Finds, parses and validates device profiles. One broken profile never stops the others:
 * `loadProfiles` returns the good ones and a list of named errors (file + field path + line).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, isNode, parseDocument } from 'yaml';
import { yamlSizeProblem, yamlToJs } from '../io/yaml.js';
import { readRegularTextFile, RegularFileError } from '../io/regular-file.js';
import { MAX_DEVICES, PROFILE_MAX_BYTES, PROFILE_MAX_ITEMS } from '../limits.js';
import { domainLabel, normalizeDomain } from '../onnx/types.js';
import type { z } from 'zod';
import { ProfileError, ProfileLoadError, type ProfileErrorCode } from './errors.js';
import { MAX_ONNX_OPSET, OPS_BY_DOMAIN, TFLITE_BUILTIN_SET } from './op-names.js';
import { didYouMean } from '../util/suggest.js';
import {
  DeviceProfileSchema,
  PROFILE_FORMAT_REVISION,
  type DeviceProfile,
  type OpRule,
  type Source,
  type SourceRef,
} from './schema.js';

/** Options shared by the loaders. */
export interface LoadOptions {
  /**
   * Folder holding the shipped `<id>.yaml` profiles. Default: `device-profiles/` of the package root, found by
   * walking up from this module (works from src/, build/ and a bundled dist/).
   */
  readonly profilesDir?: string;
  /** Base for relative profile paths. Default: `process.cwd()`. */
  readonly cwd?: string;
}

/** A profile that passed validation, with where it came from. */
export interface LoadedProfile {
  readonly id: string;
  /** Absolute path of the file. */
  readonly file: string;
  /** true when it came from the shipped profiles folder (asked for by id). */
  readonly shipped: boolean;
  readonly profile: DeviceProfile;
}

/** What `loadProfiles` returns: every profile that loaded, and every error of the ones that did not. */
export interface LoadProfilesResult {
  readonly profiles: LoadedProfile[];
  readonly errors: ProfileError[];
}

const PROFILE_EXTENSIONS = ['.yaml', '.yml', '.json'];
const ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

let cachedDefaultDir: string | undefined;

/**
 * The shipped profiles folder: the first ancestor of this module's folder that contains `device-profiles/`
 * next to a `package.json`.
 */
export function defaultProfilesDir(): string {
  if (cachedDefaultDir !== undefined) return cachedDefaultDir;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'device-profiles');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate) && statSync(candidate).isDirectory()) {
      cachedDefaultDir = candidate;
      return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new ProfileError({
    code: 'PROFILE_NOT_FOUND',
    file: 'device-profiles/',
    fieldPath: '',
    detail: `no device-profiles/ folder found above ${dirname(fileURLToPath(import.meta.url))}; pass profilesDir`,
  });
}

/** Ids of the shipped profiles (file names without extension), sorted. */
export function listProfileIds(options: LoadOptions = {}): string[] {
  const dir = options.profilesDir ?? defaultProfilesDir();
  return readdirSync(dir)
    .filter((f) => PROFILE_EXTENSIONS.includes(extname(f)) && ID_PATTERN.test(basename(f, extname(f))))
    .map((f) => basename(f, extname(f)))
    .sort();
}

/** true when the argument names a file (has a path separator or a profile extension) rather than an id. */
export function isProfilePath(idOrPath: string): boolean {
  return idOrPath.includes('/') || idOrPath.includes('\\') || PROFILE_EXTENSIONS.includes(extname(idOrPath));
}

/**
 * Loads one profile by id (`android-nnapi` → `<profilesDir>/android-nnapi.yaml`) or by path (a user profile).
 * @throws ProfileLoadError listing every problem found in the file.
 */
export function loadProfile(idOrPath: string, options: LoadOptions = {}): LoadedProfile {
  const { profiles, errors } = loadProfiles([idOrPath], options);
  if (errors.length > 0) throw new ProfileLoadError(errors);
  const first = profiles[0];
  if (first === undefined) throw new RangeError(`no profile loaded for '${idOrPath}'`);
  return first;
}

/**
 * Loads each id or path independently. A broken profile contributes errors and is left out; the others load.
 * A later profile with an id already loaded is a PROFILE_DUPLICATE error.
 */
export function loadProfiles(idsOrPaths: readonly string[], options: LoadOptions = {}): LoadProfilesResult {
  const profiles: LoadedProfile[] = [];
  const errors: ProfileError[] = [];
  if (idsOrPaths.length > MAX_DEVICES) {
    const detail = `${idsOrPaths.length} devices named, over the limit of ${MAX_DEVICES} per run (docs/limits.md); none was loaded`;
    return { profiles, errors: [new ProfileError({ code: 'PROFILE_TOO_MANY', file: '(device list)', fieldPath: '', detail })] };
  }
  const seen = new Map<string, string>();
  const named = new Map<string, number>();
  for (const item of idsOrPaths) named.set(item, (named.get(item) ?? 0) + 1);
  for (const [item, times] of named) {
    if (times > 1) {
      const detail = `'${item}' is named ${times} times in the device list; it is loaded once`;
      errors.push(new ProfileError({ code: 'PROFILE_DUPLICATE', file: item, fieldPath: '', detail }));
    }
    const result = loadOne(item, options);
    if ('errors' in result) {
      errors.push(...result.errors);
      continue;
    }
    const previous = seen.get(result.id);
    if (previous !== undefined) {
      errors.push(
        new ProfileError({
          code: 'PROFILE_DUPLICATE',
          file: result.file,
          fieldPath: 'id',
          detail: `profile id '${result.id}' is already loaded from ${previous}`,
        }),
      );
      continue;
    }
    seen.set(result.id, result.file);
    profiles.push(result);
  }
  return { profiles, errors };
}

/** Loads every shipped profile. */
export function loadShippedProfiles(options: LoadOptions = {}): LoadProfilesResult {
  return loadProfiles(listProfileIds(options), options);
}

function loadOne(item: string, options: LoadOptions): LoadedProfile | { errors: ProfileError[] } {
  let file: string;
  const shipped = !isProfilePath(item);
  if (shipped) {
    if (!ID_PATTERN.test(item)) {
      return { errors: [new ProfileError({ code: 'PROFILE_NOT_FOUND', file: item, fieldPath: '', detail: `'${item}' is neither a profile id (kebab-case) nor a path` })] };
    }
    let dir: string;
    try {
      dir = options.profilesDir ?? defaultProfilesDir();
    } catch (err) {
      return { errors: [err as ProfileError] };
    }
    const found = PROFILE_EXTENSIONS.map((ext) => join(dir, item + ext)).find((f) => existsSync(f));
    if (found === undefined) {
      const known = existsSync(dir) ? listProfileIds({ profilesDir: dir }) : [];
      const hint = didYouMean(item, known);
      // Named by the id the user typed: the shipped profiles' folder is an installation detail.
      return {
        errors: [
          new ProfileError({
            code: 'PROFILE_NOT_FOUND',
            file: item,
            fieldPath: '',
            detail: `no device profile with this id.${hint || (known.length > 0 ? ` Known: ${known.join(', ')}.` : '')}`,
          }),
        ],
      };
    }
    file = resolve(found);
  } else {
    file = isAbsolute(item) ? item : resolve(options.cwd ?? process.cwd(), item);
    if (!existsSync(file)) {
      return { errors: [new ProfileError({ code: 'PROFILE_NOT_FOUND', file, fieldPath: '', detail: 'file does not exist' })] };
    }
  }
  let text: string;
  try {
    text = readRegularTextFile(file, { maxBytes: PROFILE_MAX_BYTES, what: 'profile' });
  } catch (err) {
    const problem = err instanceof RegularFileError ? err.problem : 'UNREADABLE';
    const code: ProfileErrorCode = problem === 'NOT_REGULAR' ? 'PROFILE_NOT_A_FILE' : problem === 'TOO_LARGE' ? 'PROFILE_TOO_LARGE' : problem === 'MISSING' ? 'PROFILE_NOT_FOUND' : 'PROFILE_READ_FAILED';
    const detail = err instanceof RegularFileError ? err.reason : (err as Error).message;
    return { errors: [new ProfileError({ code, file, fieldPath: '', detail, cause: err })] };
  }
  const parsed = parseProfileCached(text, file, options);
  if (parsed.profile === undefined) return { errors: parsed.errors };
  const fileId = basename(file, extname(file));
  if (shipped && parsed.profile.id !== fileId) {
    return {
      errors: [
        new ProfileError({
          code: 'PROFILE_ID_MISMATCH',
          file,
          fieldPath: 'id',
          detail: `id '${parsed.profile.id}' differs from the file name '${fileId}'`,
          line: parsed.lineOf(['id']),
        }),
      ],
    };
  }
  const expandError = expandFallback(parsed.profile, file, options, new Set([parsed.profile.id]));
  if (expandError) return { errors: [expandError] };
  return { id: parsed.profile.id, file, shipped, profile: parsed.profile };
}

/**
 * Replaces `partition.fallback.opsFrom` by the referenced shipped profile's runnable ops (its rule ids plus its
 * own fallback ops), merged into `partition.fallback.ops`, so the engine only reads `ops`.
 */
function expandFallback(profile: DeviceProfile, file: string, options: LoadOptions, seen: Set<string>): ProfileError | undefined {
  const fb = profile.partition.fallback;
  if (fb?.opsFrom === undefined) return undefined;
  const from = fb.opsFrom;
  const fail = (detail: string): ProfileError =>
    new ProfileError({ code: 'PROFILE_BAD_REFERENCE', file, fieldPath: 'partition.fallback.opsFrom', detail });
  if (seen.has(from)) return fail(`cycle through opsFrom '${from}'`);
  let dir: string;
  try {
    dir = options.profilesDir ?? defaultProfilesDir();
  } catch (err) {
    return err as ProfileError;
  }
  const target = PROFILE_EXTENSIONS.map((ext) => join(dir, from + ext)).find((f) => existsSync(f));
  if (target === undefined) return fail(`opsFrom names no shipped profile '${from}'`);
  const parsed = parseProfileCached(readFileSync(target, 'utf8'), target, options);
  if (parsed.profile === undefined) return fail(`opsFrom profile '${from}' is invalid: ${parsed.errors[0]?.message ?? ''}`);
  if ((parsed.profile.conversion === undefined) !== (profile.conversion === undefined)) {
    return fail(`opsFrom profile '${from}' names ${parsed.profile.conversion ? 'TFLite builtins' : 'ONNX ops'}, this profile needs the other kind`);
  }
  const nested = expandFallback(parsed.profile, target, options, new Set([...seen, from]));
  if (nested) return nested;
  const ops = new Set<string>(fb.ops ?? []);
  for (const rule of parsed.profile.rules) ops.add(ruleId({ ...rule, id: undefined }));
  for (const op of parsed.profile.partition.fallback?.ops ?? []) ops.add(op);
  fb.ops = [...ops].sort();
  delete fb.opsFrom;
  return undefined;
}

/**
 * The set of ops the fallback unit can run, in {@link ruleId} form (`Conv`, `com.microsoft:FusedConv`, `CONV_2D`),
 * or `null` when the profile does not restrict fallback (every non-accelerated node can fall back).
 */
export function fallbackOps(profile: DeviceProfile): ReadonlySet<string> | null {
  const ops = profile.partition.fallback?.ops;
  return ops === undefined ? null : new Set(ops);
}

// ---------------------------------------------------------------------------------------------------
// Validated-profile bundle: parsing YAML costs ~0.5 s cold for the shipped set, JSON.parse ~3 ms.
// ---------------------------------------------------------------------------------------------------

/** File (in the profiles folder) holding the validated form of the shipped YAML, keyed by the YAML's sha256. */
export const PROFILE_BUNDLE_FILE = 'profiles.bundle.json';

interface ProfileBundle {
  readonly formatRevision: number;
  readonly entries: Record<string, DeviceProfile>;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const bundleCache = new Map<string, { readonly stamp: string; readonly bundle: ProfileBundle | null }>();

function readBundle(dir: string): ProfileBundle | null {
  const file = join(dir, PROFILE_BUNDLE_FILE);
  if (!existsSync(file)) return null;
  const st = statSync(file);
  const stamp = `${st.mtimeMs}:${st.size}`;
  const cached = bundleCache.get(file);
  if (cached?.stamp === stamp) return cached.bundle;
  let bundle: ProfileBundle | null = null;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as ProfileBundle;
    // A bundle written by another format revision may hold profiles this schema would reject: ignore it.
    bundle = parsed.formatRevision === PROFILE_FORMAT_REVISION && typeof parsed.entries === 'object' ? parsed : null;
  } catch {
    bundle = null;
  }
  bundleCache.set(file, { stamp, bundle });
  return bundle;
}

/**
 * Parses profile text, taking the validated result from the profiles folder's bundle when the text's sha256 is
 * in it (same bytes give the same result), else running the full YAML + schema path.
 */
function parseProfileCached(text: string, file: string, options: LoadOptions): ParseResult {
  let dir: string | undefined;
  try {
    dir = options.profilesDir ?? defaultProfilesDir();
  } catch {
    dir = undefined;
  }
  const bundle = dir !== undefined ? readBundle(dir) : null;
  const hit = bundle?.entries[sha256(text)];
  if (hit !== undefined) {
    return { profile: structuredClone(hit), errors: [], lineOf: (path) => parseProfileText(text, file).lineOf(path) };
  }
  return parseProfileText(text, file);
}

/**
 * Builds the bundle text for every profile in `dir` (one entry per line, sorted, so diffs stay readable).
 * @throws ProfileLoadError when a profile in `dir` is invalid: only valid profiles may be bundled.
 */
export function buildProfileBundle(dir: string): string {
  const lines: string[] = [];
  for (const id of listProfileIds({ profilesDir: dir })) {
    const file = PROFILE_EXTENSIONS.map((ext) => join(dir, id + ext)).find((f) => existsSync(f));
    if (file === undefined) continue;
    const text = readFileSync(file, 'utf8');
    const parsed = parseProfileText(text, file);
    if (parsed.profile === undefined) throw new ProfileLoadError(parsed.errors);
    lines.push(`${JSON.stringify(sha256(text))}: ${JSON.stringify(parsed.profile)}`);
  }
  lines.sort();
  return `{"formatRevision": ${PROFILE_FORMAT_REVISION}, "entries": {\n${lines.join(',\n')}\n}}\n`;
}

/** Result of {@link parseProfileText}. */
export interface ParseResult {
  /** Set only when there are no errors. */
  readonly profile?: DeviceProfile;
  readonly errors: ProfileError[];
  /** 1-based line of a path in the text, when it exists. */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

/**
 * Parses and validates profile text (YAML or JSON). `file` is only used in error messages.
 * Runs the schema and the cross-field checks on the same raw data, so one pass reports every problem.
 */
export function parseProfileText(text: string, file: string): ParseResult {
  const tooBig = yamlSizeProblem(text, PROFILE_MAX_ITEMS);
  if (tooBig !== undefined) return { errors: [new ProfileError({ code: 'PROFILE_TOO_LARGE', file, fieldPath: '', detail: `profile has ${tooBig}` })], lineOf: () => undefined };
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (path: readonly (string | number)[]): number | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  if (doc.errors.length > 0) {
    return {
      errors: doc.errors.map(
        (e) =>
          new ProfileError({
            code: 'PROFILE_PARSE',
            file,
            fieldPath: '',
            detail: e.message.split('\n')[0] ?? e.message,
            line: lineCounter.linePos(e.pos[0]).line,
            cause: e,
          }),
      ),
      lineOf,
    };
  }
  const js = yamlToJs(doc);
  if (js instanceof Error) return { errors: [new ProfileError({ code: 'PROFILE_PARSE', file, fieldPath: '', detail: js.message, cause: js })], lineOf };
  const raw = js.value;
  const make = (code: ProfileErrorCode, path: readonly (string | number)[], detail: string): ProfileError =>
    new ProfileError({ code, file, fieldPath: formatPath(path), detail, line: lineOf(path) });

  const errors: ProfileError[] = [];
  const result = DeviceProfileSchema.safeParse(raw);
  // Cross-checks first: where both flag the same field, their message is the more specific one.
  errors.push(...crossChecks(raw, make));
  if (!result.success) errors.push(...zodIssuesToErrors(result.error.issues, raw, make));
  const unique = dedupe(errors);
  if (unique.length > 0 || !result.success) return { errors: unique, lineOf };
  return { profile: normalize(result.data), errors: [], lineOf };
}

type Make = (code: ProfileErrorCode, path: readonly (string | number)[], detail: string) => ProfileError;

/** `rules[3].when.attributes.kernel_shape`; keys that are not identifiers are quoted: `opset["ai.onnx"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}

function getAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = raw;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

function zodIssuesToErrors(issues: readonly z.core.$ZodIssue[], raw: unknown, make: Make): ProfileError[] {
  const out: ProfileError[] = [];
  for (const issue of flattenIssues(issues)) {
    const path = issue.path as PropertyKey[];
    const strPath = path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push(make('PROFILE_UNKNOWN_FIELD', [...strPath, key], `unknown field '${key}'`));
      continue;
    }
    const last = strPath[strPath.length - 1];
    const value = getAt(raw, strPath);
    const parentExists = strPath.length === 0 || getAt(raw, strPath.slice(0, -1)) !== undefined;
    if (value === undefined && parentExists && (issue.code === 'invalid_type' || issue.code === 'invalid_union')) {
      if (last === 'source') out.push(make('PROFILE_MISSING_SOURCE', strPath, 'missing `source` (every rule and hardware figure needs one)'));
      else out.push(make('PROFILE_MISSING_FIELD', strPath, `missing required field '${String(last ?? '')}'`));
      continue;
    }
    const params = (issue as { params?: { profileCode?: ProfileErrorCode } }).params;
    const code: ProfileErrorCode = params?.profileCode ?? 'PROFILE_SCHEMA';
    out.push(make(code, strPath, describeIssue(issue, value)));
  }
  return out;
}

/** A union failure is reported through the branch that got furthest, so the message names the real field. */
function flattenIssues(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const out: z.core.$ZodIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // A union branch that failed only deeper inside matched the value's shape best.
      const scored = issue.errors.map((branch) => ({
        branch,
        depth: Math.max(0, ...branch.map((i) => i.path.length)),
        typeMismatchAtRoot: branch.some((i) => i.path.length === 0 && i.code === 'invalid_type'),
      }));
      const best = scored
        .filter((s) => !s.typeMismatchAtRoot)
        .sort((a, b) => b.depth - a.depth || a.branch.length - b.branch.length)[0];
      if (best !== undefined) {
        out.push(...flattenIssues(best.branch.map((i) => ({ ...i, path: [...issue.path, ...i.path] }))));
        continue;
      }
    }
    out.push(issue);
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  const got = value === undefined ? 'nothing' : JSON.stringify(value)?.slice(0, 80) ?? typeof value;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}, got ${got}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${got}`;
    case 'invalid_union':
      return `value ${got} matches none of the allowed forms`;
    default:
      return `${issue.message} (got ${got})`;
  }
}

function dedupe(errors: ProfileError[]): ProfileError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.code} ${e.fieldPath}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------------
// Cross-field checks (run on the raw data, so they report even when the schema also failed)
// ---------------------------------------------------------------------------------------------------

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}


function checkOpName(op: unknown, domain: unknown, path: (string | number)[], make: Make): ProfileError | undefined {
  if (typeof op !== 'string') return undefined;
  const dom = normalizeDomain(typeof domain === 'string' ? domain : undefined);
  const known = OPS_BY_DOMAIN.get(dom);
  if (known === undefined) return make('PROFILE_UNKNOWN_OP', path, `unknown domain '${dom}' for op '${op}' (known: ai.onnx, ai.onnx.ml, com.microsoft)`);
  if (known.has(op)) return undefined;
  const near = [...known].find((k) => k.toLowerCase() === op.toLowerCase());
  return make('PROFILE_UNKNOWN_OP', path, `'${op}' is not an op of domain '${domainLabel(dom)}'${near ? ` (did you mean '${near}'?)` : ''}`);
}

/** `Conv` or `com.microsoft:QLinearAdd`. */
function splitQualifiedOp(key: string): { domain: string; op: string } {
  const i = key.lastIndexOf(':');
  return i < 0 ? { domain: '', op: key } : { domain: normalizeDomain(key.slice(0, i)), op: key.slice(i + 1) };
}

function crossChecks(raw: unknown, make: Make): ProfileError[] {
  const out: ProfileError[] = [];
  if (!isObj(raw)) {
    return raw === undefined || raw === null ? [make('PROFILE_SCHEMA', [], 'the file is empty')] : [];
  }
  const sources = isObj(raw.sources) ? raw.sources : {};
  const converted = raw.conversion !== undefined;

  // Source references anywhere in the file.
  const walk = (v: unknown, path: (string | number)[]): void => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (isObj(v)) {
      for (const [k, x] of Object.entries(v)) {
        if ((k === 'source' || (k === 'table' && path[path.length - 1] === 'checker')) && path[0] !== 'sources') {
          const ref = typeof x === 'string' ? x : isObj(x) && typeof x.ref === 'string' ? x.ref : undefined;
          if (ref !== undefined && !(ref in sources)) {
            out.push(make('PROFILE_BAD_REFERENCE', [...path, k], `source '${ref}' is not defined under \`sources\``));
          }
        }
        walk(x, [...path, k]);
      }
    }
  };
  walk(raw, []);

  // Rules: names, one rule per op, op vs builtin by profile kind.
  const seenRules = new Map<string, number>();
  if (Array.isArray(raw.rules)) {
    raw.rules.forEach((rule, i) => {
      if (!isObj(rule)) return;
      if (typeof rule.op === 'string') {
        if (converted) out.push(make('PROFILE_SCHEMA', ['rules', i, 'op'], 'a profile with `conversion` keys its rules by TFLite `builtin`, not ONNX `op`'));
        const e = checkOpName(rule.op, rule.domain, ['rules', i, 'op'], make);
        if (e) out.push(e);
      }
      if (typeof rule.builtin === 'string') {
        if (!converted) out.push(make('PROFILE_SCHEMA', ['rules', i, 'builtin'], '`builtin` rules need a `conversion` block'));
        if (!TFLITE_BUILTIN_SET.has(rule.builtin)) out.push(make('PROFILE_UNKNOWN_OP', ['rules', i, 'builtin'], `'${rule.builtin}' is not a TFLite builtin operator`));
      }
      const key = typeof rule.builtin === 'string' ? `tflite:${rule.builtin}` : typeof rule.op === 'string' ? `${normalizeDomain(typeof rule.domain === 'string' ? rule.domain : undefined)}:${rule.op}` : undefined;
      if (key !== undefined) {
        const prev = seenRules.get(key);
        if (prev !== undefined) out.push(make('PROFILE_DUPLICATE', ['rules', i], `a second rule for ${key} (first: rules[${prev}]); merge the conditions into one rule`));
        else seenRules.set(key, i);
      }
      if (isObj(rule.pattern) && Array.isArray(rule.pattern.anyOf)) {
        rule.pattern.anyOf.forEach((p, j) => {
          if (!isObj(p) || !Array.isArray(p.chain)) return;
          p.chain.forEach((step, k) => {
            if (!isObj(step)) return;
            const e = checkOpName(step.op, step.domain, ['rules', i, 'pattern', 'anyOf', j, 'chain', k, 'op'], make);
            if (e) out.push(e);
          });
        });
      }
      checkOpsetRange(rule.opset, ['rules', i, 'opset'], make, out);
      if (isObj(rule.when)) checkOpsetRange(rule.when.opset, ['rules', i, 'when', 'opset'], make, out);
    });
  }

  // Conversion op map.
  if (isObj(raw.conversion) && isObj(raw.conversion.opMap)) {
    for (const [key, alts] of Object.entries(raw.conversion.opMap)) {
      const { domain, op } = splitQualifiedOp(key);
      const e = checkOpName(op, domain, ['conversion', 'opMap', key], make);
      if (e) out.push(e);
      if (!Array.isArray(alts)) continue;
      alts.forEach((alt, j) => {
        if (!isObj(alt) || !Array.isArray(alt.builtins)) return;
        alt.builtins.forEach((b, k) => {
          if (typeof b === 'string' && !TFLITE_BUILTIN_SET.has(b)) {
            out.push(make('PROFILE_UNKNOWN_OP', ['conversion', 'opMap', key, j, 'builtins', k], `'${b}' is not a TFLite builtin operator`));
          }
        });
      });
    }
  }

  // Fallback op list: ONNX ops (`Conv`, `com.microsoft:FusedConv`) or, for converted profiles, TFLite builtins.
  if (isObj(raw.partition) && isObj(raw.partition.fallback) && Array.isArray(raw.partition.fallback.ops)) {
    raw.partition.fallback.ops.forEach((q, i) => {
      if (typeof q !== 'string') return;
      const path = ['partition', 'fallback', 'ops', i];
      if (converted) {
        if (!TFLITE_BUILTIN_SET.has(q)) out.push(make('PROFILE_UNKNOWN_OP', path, `'${q}' is not a TFLite builtin operator`));
        return;
      }
      const { domain, op } = splitQualifiedOp(q);
      const e = checkOpName(op, domain, path, make);
      if (e) out.push(e);
    });
  }

  // Hints name ONNX ops (also in converted profiles: the hint is about the source model).
  if (Array.isArray(raw.hints)) {
    raw.hints.forEach((h, i) => {
      if (!isObj(h) || typeof h.op !== 'string') return;
      const { domain, op } = splitQualifiedOp(h.op);
      const e = checkOpName(op, domain, ['hints', i, 'op'], make);
      if (e) out.push(e);
    });
  }

  // Quantization per-channel op list.
  if (isObj(raw.quantization) && isObj(raw.quantization.weightGranularity) && Array.isArray(raw.quantization.weightGranularity.perChannelOps)) {
    raw.quantization.weightGranularity.perChannelOps.forEach((q, i) => {
      if (typeof q !== 'string') return;
      const { domain, op } = splitQualifiedOp(q);
      const e = checkOpName(op, domain, ['quantization', 'weightGranularity', 'perChannelOps', i], make);
      if (e) out.push(e);
    });
  }

  // Model opset ranges.
  if (isObj(raw.opset)) {
    for (const [dom, range] of Object.entries(raw.opset)) {
      if (!OPS_BY_DOMAIN.has(normalizeDomain(dom))) out.push(make('PROFILE_SCHEMA', ['opset', dom], `unknown domain '${dom}'`));
      checkOpsetRange(range, ['opset', dom], make, out, normalizeDomain(dom) === '');
    }
  }

  // Checker spellings must name listed ops.
  if (isObj(raw.checker) && isObj(raw.checker.tableSpellings)) {
    for (const op of Object.keys(raw.checker.tableSpellings)) {
      if (!seenRules.has(`:${op}`)) out.push(make('PROFILE_BAD_REFERENCE', ['checker', 'tableSpellings', op], `no rule for op '${op}'`));
    }
  }

  // Hardware unit references.
  if (isObj(raw.hardware) && Array.isArray(raw.hardware.units)) {
    const ids = new Set<string>();
    raw.hardware.units.forEach((u, i) => {
      if (!isObj(u) || typeof u.id !== 'string') return;
      if (ids.has(u.id)) out.push(make('PROFILE_DUPLICATE', ['hardware', 'units', i, 'id'], `unit id '${u.id}' is used twice`));
      ids.add(u.id);
    });
    for (const key of ['acceleratorUnit', 'fallbackUnit'] as const) {
      const v = raw.hardware[key];
      if (typeof v === 'string' && !ids.has(v)) out.push(make('PROFILE_BAD_REFERENCE', ['hardware', key], `no unit with id '${v}'`));
    }
    if (Array.isArray(raw.hardware.transfers)) {
      raw.hardware.transfers.forEach((t, i) => {
        if (!isObj(t)) return;
        for (const k of ['from', 'to'] as const) {
          const v = t[k];
          if (typeof v === 'string' && !ids.has(v)) out.push(make('PROFILE_BAD_REFERENCE', ['hardware', 'transfers', i, k], `no unit with id '${v}'`));
        }
      });
    }
  }
  return out;
}

function checkOpsetRange(range: unknown, path: (string | number)[], make: Make, out: ProfileError[], isOnnx = true): void {
  if (!isObj(range)) return;
  const { min, max } = range;
  if (typeof min === 'number' && typeof max === 'number' && min > max) {
    out.push(make('PROFILE_OPSET_RANGE', path, `opset range min ${min} > max ${max}`));
  }
  if (isOnnx && typeof max === 'number' && max > MAX_ONNX_OPSET) {
    out.push(make('PROFILE_OPSET_RANGE', [...path, 'max'], `opset ${max} is beyond the latest known ai.onnx opset ${MAX_ONNX_OPSET}`));
  }
  if (isOnnx && typeof min === 'number' && min > MAX_ONNX_OPSET) {
    out.push(make('PROFILE_OPSET_RANGE', [...path, 'min'], `opset ${min} is beyond the latest known ai.onnx opset ${MAX_ONNX_OPSET}`));
  }
}

/** Writes the default domain as "" everywhere, so the engine compares with `OnnxNode.domain` directly. */
function normalize(profile: DeviceProfile): DeviceProfile {
  for (const rule of profile.rules) {
    if (rule.op !== undefined) rule.domain = normalizeDomain(rule.domain);
    for (const alt of rule.pattern?.anyOf ?? []) for (const step of alt.chain) step.domain = normalizeDomain(step.domain);
  }
  return profile;
}

// ---------------------------------------------------------------------------------------------------
// Helpers for the engine
// ---------------------------------------------------------------------------------------------------

/** The key a rule is indexed by: `:Conv`, `com.microsoft:QLinearAdd`, `tflite:CONV_2D`. */
export function ruleKey(rule: OpRule): string {
  return rule.builtin !== undefined ? `tflite:${rule.builtin}` : `${normalizeDomain(rule.domain)}:${rule.op ?? ''}`;
}

/** The id test cases name a rule by: the rule's `id`, else `Conv`, `com.microsoft:QLinearAdd`, `CONV_2D`. */
export function ruleId(rule: OpRule): string {
  if (rule.id !== undefined) return rule.id;
  if (rule.builtin !== undefined) return rule.builtin;
  const dom = normalizeDomain(rule.domain);
  return dom === '' ? (rule.op ?? '') : `${dom}:${rule.op ?? ''}`;
}

/** Rules by {@link ruleKey}. */
export function indexRules(profile: DeviceProfile): Map<string, OpRule> {
  return new Map(profile.rules.map((r) => [ruleKey(r), r]));
}

/** The full source a `source:` field refers to (with the ref's `section`/`note` merged in), or undefined. */
export function resolveSource(profile: DeviceProfile, ref: SourceRef | undefined): Source | undefined {
  if (ref === undefined) return undefined;
  if (typeof ref === 'string') return profile.sources?.[ref];
  if ('ref' in ref) {
    const base = profile.sources?.[ref.ref];
    if (base === undefined) return undefined;
    return { ...base, ...(ref.section !== undefined ? { section: ref.section } : {}), ...(ref.note !== undefined ? { note: ref.note } : {}) };
  }
  return ref;
}

/** One-line citation of a source: URL or repo/path, version, date read. */
export function formatSource(source: Source): string {
  const where = source.url ?? `${source.repo ?? ''}/${source.path ?? ''}`;
  return `${where} (${source.version}, read ${source.retrieved}${source.section ? `, ${source.section}` : ''})`;
}
