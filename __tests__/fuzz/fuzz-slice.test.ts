/**
 * A fixed-seed slice of bench/fuzz.ts: a few hundred mutated inputs from every registered family (model
 * families by their weights, so a few huge synthetic models among hundreds of small ones), run through the
 * built CLI in capped child processes. Any crash, hang, RSS over 1 GB, INTERNAL code, model missing from a
 * batch or corrupt input reported as passed fails the test, with the case id to reproduce
 * (`node --import tsx bench/fuzz.ts --seed 20261206 --group model=300 --only ID --keep`). Needs
 * `npm run build` (npm test does it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTallies, runFuzz } from '../../bench/fuzz.js';
import { FUZZ_FAMILIES } from '../../bench/fuzz/registry.js';

const SEED = 20261206;
const PER_GROUP = { model: 300, config: 20, profile: 20, parity: 40 } as const;

test(`fuzz slice: seed ${SEED}, ${Object.values(PER_GROUP).reduce((a, b) => a + b, 0)} cases over every family, no defects`, { timeout: 900_000 }, async () => {
  const tallies = await runFuzz({ seed: SEED, perGroup: PER_GROUP, batch: 100, jobs: 1, timeoutS: 60 });
  assert.deepEqual(
    tallies.defects.map((d) => `${d.outcome} ${d.id} (${d.note}): ${d.detail.slice(0, 200)}`),
    [],
    formatTallies(tallies),
  );
  // Every family ran, and the slice exercises both sides: inputs refused with an error, and inputs that pass.
  for (const f of FUZZ_FAMILIES) assert.ok(tallies.byFamily[f.name] !== undefined, `${f.name} ran no case`);
  const all = Object.values(tallies.byGroup);
  assert.ok(all.reduce((s, c) => s + c['ok-with-error'], 0) > 0);
  assert.ok(all.reduce((s, c) => s + c.ok, 0) > 0);
});
