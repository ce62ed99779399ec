import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error plain JS script without types
import { END, START, renderInputsTables, updateReadme } from '../../scripts/gen-readme-inputs.js';
import { REPO_ROOT } from './support/e2e-harness.js';

const actionYml = readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8');

describe('gen-readme-inputs', () => {
  it('renders one row per input and output of action.yml', () => {
    const md = renderInputsTables(actionYml) as string;
    for (const name of ['mode', 'models', 'fail-on', 'max-latency-regression', 'comment-key', 'github-token', 'accept-regression-label']) assert.match(md, new RegExp(`\\| \`${name}\` \\|`));
    for (const name of ['report', 'verdict', 'comment-id', 'summary']) assert.match(md, new RegExp(`\\| \`${name}\` \\|`));
    assert.match(md, /\| `\*\*\/\*\.onnx` \|/);
  });

  it('replaces only the text between the markers, idempotently', () => {
    const readme = `# T\n\nbefore\n${START}\nold\n${END}\nafter\n`;
    const once = updateReadme(readme, actionYml) as string;
    assert.ok(once.startsWith('# T\n\nbefore\n'));
    assert.ok(once.endsWith(`${END}\nafter\n`));
    assert.ok(!once.includes('\nold\n'));
    assert.equal(updateReadme(once, actionYml), once);
    assert.throws(() => updateReadme('# no markers', actionYml), /markers/);
  });

  it('the README table is up to date (once the README has the markers)', (t) => {
    const p = join(REPO_ROOT, 'README.md');
    if (!existsSync(p) || !readFileSync(p, 'utf8').includes(START)) return t.skip('README.md has no action-inputs markers yet');
    const readme = readFileSync(p, 'utf8');
    assert.equal(updateReadme(readme, actionYml), readme, 'run node scripts/gen-readme-inputs.js');
  });
});
