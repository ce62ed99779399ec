/**
 * Which models to check: every model matching the globs (push, merge_group, ...), or on a PR the ones
 * the PR changed (all of them when the config or a profile changed). Pure over its inputs, except
 * listModelFiles which walks the workspace.
 */
import { readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import picomatch from 'picomatch';
import type { ModelChange } from '../gate/types.js';
import type { NameStatus } from '../git/types.js';
import type { PullFile } from './github.js';

const SKIP_DIRS = new Set(['.git', 'node_modules']);

/** Repo-relative paths (with `/`) of files under `root` matching any glob, sorted. */
export function listModelFiles(root: string, globs: readonly string[]): string[] {
  const match = picomatch(globs as string[], { dot: false });
  const out: string[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(join(dir, e.name), rel ? `${rel}/${e.name}` : e.name);
      } else if (e.isFile()) {
        const p = rel ? `${rel}/${e.name}` : e.name;
        if (match(p)) out.push(p);
      }
    }
  };
  walk(root, '');
  return out.sort();
}

/** The files API's change list, in git's name-status form (used when the three-dot diff cannot run). */
export function pullFilesToNameStatus(files: readonly PullFile[]): NameStatus[] {
  const map: Record<string, NameStatus['status']> = { added: 'A', removed: 'D', modified: 'M', changed: 'M', renamed: 'R', copied: 'C' };
  const out: NameStatus[] = [];
  for (const f of files) {
    const st = map[f.status];
    if (!st) continue;
    out.push(st === 'R' || st === 'C' ? { status: st, path: f.filename, oldPath: f.previous_filename ?? f.filename } : { status: st, path: f.filename });
  }
  return out;
}

export interface SelectInput {
  /** Model globs (the `models` input). */
  readonly globs: readonly string[];
  /** Models matching the globs in the workspace. */
  readonly present: readonly string[];
  /** The PR's changed files; undefined for push-like events (all models). */
  readonly diff?: readonly NameStatus[];
  /** Repo-relative files whose change makes every model count as changed (config, profile files). */
  readonly triggers: readonly string[];
  /** Returns the external-data locations (repo-relative) of a present model, for data-only changes. */
  readonly externalDataOf?: (model: string) => readonly string[];
}

export interface Selection {
  /** Models to check and report, with how they changed; deleted ones are listed but not checked. */
  readonly changes: readonly ModelChange[];
  /** Why every model is checked, when it is. */
  readonly allBecause?: string;
}

/** Decides which models a run checks. */
export function selectModels(s: SelectInput): Selection {
  const match = picomatch(s.globs as string[], { dot: false });
  if (!s.diff) return { changes: s.present.map((path) => ({ path, kind: 'unchanged' as const })) };
  const byPath = new Map<string, ModelChange>();
  const changedOther: string[] = [];
  for (const d of s.diff) {
    if (d.status === 'R') {
      if (match(d.path)) byPath.set(d.path, { path: d.path, kind: 'renamed', oldPath: d.oldPath });
      else if (d.oldPath && match(d.oldPath)) byPath.set(d.oldPath, { path: d.oldPath, kind: 'deleted' });
      else changedOther.push(d.path, ...(d.oldPath ? [d.oldPath] : []));
    } else if (match(d.path)) {
      byPath.set(d.path, { path: d.path, kind: d.status === 'D' ? 'deleted' : d.status === 'A' || d.status === 'C' ? 'added' : 'modified' });
    } else changedOther.push(d.path);
  }
  const trigger = changedOther.find((p) => s.triggers.includes(p));
  if (trigger) {
    for (const p of s.present) if (!byPath.has(p)) byPath.set(p, { path: p, kind: 'unchanged' });
  } else if (changedOther.length > 0 && s.externalDataOf) {
    // A PR that changes only a model's external weights changes the model.
    const others = new Set(changedOther);
    for (const p of s.present) {
      if (byPath.has(p)) continue;
      const dir = posix.dirname(p);
      if (![...others].some((o) => dir === '.' || o.startsWith(`${dir}/`))) continue;
      if (s.externalDataOf(p).some((x) => others.has(x))) byPath.set(p, { path: p, kind: 'modified' });
    }
  }
  const changes = [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { changes, ...(trigger ? { allBecause: `${trigger} changed` } : {}) };
}
