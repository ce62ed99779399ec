/**
 * A fixed-seed slice of the config, profile and parity fuzz families (bench/fuzz/families/), run through
 * the built CLI in capped child processes exactly as `bench/fuzz.ts` runs them: every named corruption of
 * a reference folder and of a result.json, alias bombs, device files, FIFOs, oversized files. Any crash,
 * hang, run over the RSS cap, INTERNAL code or corrupt input reported as pass fails the test, listing
 * the case ids (regenerate one with `node --import tsx bench/fuzz.ts --seed 7 --only ID --keep`).
 * Needs build/ (npm test builds first).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFuzz } from '../../bench/fuzz.js';
import { RESULT_CORRUPTIONS, REFERENCE_CORRUPTIONS } from '../support/parity-corruptions.js';

test('fuzz slice (seed 7): configs, profiles, reference folders, result.json: 0 defects', { timeout: 300_000 }, async () => {
  const t = await runFuzz({
    seed: 7,
    // config-yaml and profile-yaml cycle through all their generators; the parity families through every
    // named corruption plus the random ones.
    perGroup: { config: 34, profile: 26, parity: 2 * (REFERENCE_CORRUPTIONS.length + RESULT_CORRUPTIONS.length) + 20 },
    families: ['config-yaml', 'profile-yaml', 'parity-reference', 'parity-result'],
    batch: 60,
    jobs: 1,
  });
  const defects = t.defects.map((d) => `${d.id} ${d.outcome}: ${d.note}: ${d.detail.slice(0, 200)}`);
  assert.deepEqual(defects, []);
  assert.ok(t.cases >= 150, `${t.cases} cases`);
  for (const g of ['config', 'profile', 'parity'] as const) {
    const seen = Object.values(t.byGroup[g]).reduce((a, b) => a + b, 0);
    assert.ok(seen > 0, `${g} cases ran`);
    // Most of these inputs are corrupt: they must end with an error, not silently as "ok".
    assert.ok(t.byGroup[g]['ok-with-error'] > seen / 2, `${g}: ${JSON.stringify(t.byGroup[g])}`);
  }
});
