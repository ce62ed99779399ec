import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closest, didYouMean, editDistance } from '../../src/util/suggest.js';

describe('edit distance and did-you-mean', () => {
  const table: [string, string, number][] = [
    ['', '', 0],
    ['abc', '', 3],
    ['raspbery-pi-4', 'raspberry-pi-4', 1],
    ['rasbperry-pi-4', 'raspberry-pi-4', 1],
    ['coral', 'coral-edgetpu', 8],
    ['kitten', 'sitting', 3],
  ];
  for (const [a, b, d] of table) it(`'${a}' → '${b}' = ${d}`, () => assert.equal(editDistance(a, b), d));

  const ids = ['raspberry-pi-4', 'raspberry-pi-5', 'coral-edgetpu', 'host-x64'];
  it('closest first, within a third of the length', () => {
    assert.deepEqual(closest('raspbery-pi-5', ids), ['raspberry-pi-5', 'raspberry-pi-4']);
    assert.deepEqual(closest('Host-X65', ids), ['host-x64']);
    assert.deepEqual(closest('jetson', ids), []);
    assert.deepEqual(closest('host-x64', ids), [], 'an exact name is not a suggestion');
  });
  it('phrases at most two', () => {
    assert.equal(didYouMean('raspbery-pi-4', ids), " Did you mean 'raspberry-pi-4' or 'raspberry-pi-5'?");
    assert.equal(didYouMean('zzz', ids), '');
  });
});
