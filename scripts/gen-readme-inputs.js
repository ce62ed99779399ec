#!/usr/bin/env node
// Generates the README's inputs/outputs tables from action.yml, between the markers
//   <!-- action-inputs:start --> and <!-- action-inputs:end -->
// Usage: node scripts/gen-readme-inputs.js [--check] [README path]
//   --check: exit 1 when the README is out of date (for tests/CI), without writing.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const START = '<!-- action-inputs:start -->';
export const END = '<!-- action-inputs:end -->';

const cell = (s) => String(s).replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');

/** The markdown between the markers, from the text of action.yml. */
export function renderInputsTables(actionYml) {
  const action = parse(actionYml);
  const lines = ['', '### Inputs', '', '| Input | Description | Default |', '| --- | --- | --- |'];
  for (const [name, spec] of Object.entries(action.inputs ?? {})) {
    const d = spec.default === undefined || spec.default === '' ? '' : `\`${cell(spec.default)}\``;
    lines.push(`| \`${name}\`${spec.required ? ' (required)' : ''} | ${cell(spec.description ?? '')} | ${d} |`);
  }
  lines.push('', '### Outputs', '', '| Output | Description |', '| --- | --- |');
  for (const [name, spec] of Object.entries(action.outputs ?? {})) lines.push(`| \`${name}\` | ${cell(spec.description ?? '')} |`);
  lines.push('');
  return lines.join('\n');
}

/** README text with the tables replaced; throws when the markers are missing. */
export function updateReadme(readme, actionYml) {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README has no ${START} … ${END} markers`);
  return `${readme.slice(0, a + START.length)}\n${renderInputsTables(actionYml)}\n${readme.slice(b)}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const readmePath = args.find((x) => !x.startsWith('--')) ?? join(root, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const next = updateReadme(readme, readFileSync(join(root, 'action.yml'), 'utf8'));
  if (check) {
    if (next !== readme) {
      console.error(`${readmePath}: the inputs/outputs table is out of date; run node scripts/gen-readme-inputs.js`);
      process.exit(1);
    }
  } else if (next !== readme) {
    writeFileSync(readmePath, next);
    console.log(`${readmePath}: inputs/outputs table updated`);
  }
}
