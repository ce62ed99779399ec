import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Dim, Shape } from '../../src/onnx/types.js';
import {
  addDim,
  broadcastShapes,
  compareShapes,
  dimEquals,
  divExact,
  floorDivDim,
  mulDim,
  prodDims,
  subDim,
  windowOut,
} from '../../src/graph/dims.js';

describe('symbolic dim arithmetic', () => {
  const rows: [string, () => Dim, Dim][] = [
    ['3 × batch', () => mulDim(3, 'batch'), '3*batch'],
    ['batch × 1', () => mulDim('batch', 1), 'batch'],
    ['x × 0', () => mulDim('x', 0), 0],
    ['product is canonical', () => prodDims(['s', 2, 'b', 3]), '6*b*s'],
    ['unknown factor', () => prodDims(['s', null]), null],
    ['6·b·s / 2·s', () => divExact('6*b*s', '2*s'), '3*b'],
    ['not divisible', () => divExact('b', 2), null],
    ['symbol missing', () => divExact('3*b', 's'), null],
    ['floor div numbers', () => floorDivDim(7, 2), 3],
    ['floor div opaque', () => floorDivDim('n', 2), '(n//2)'],
    ['add numbers', () => addDim(2, 3), 5],
    ['add opaque', () => addDim('n', 1), '(n+1)'],
    ['add negative', () => addDim('n', -2), '(n-2)'],
    ['x − x', () => subDim('2*x', 'x*2'), 0],
    ['ceil window', () => windowOut(109, 3, 2, 1, 0, 0, true), 54],
    ['stride-1 symbolic window', () => windowOut('H', 3, 1, 1, 1, 1), 'H'],
  ];
  for (const [name, f, exp] of rows) it(name, () => assert.deepEqual(f(), exp));

  it('equality is up to factor order', () => {
    assert.ok(dimEquals('a*b', 'b*a'));
    assert.ok(!dimEquals('a', 'b'));
    assert.ok(!dimEquals(null, null));
  });
});

describe('broadcast and comparison', () => {
  const rows: [Shape, Shape, Shape | 'throws'][] = [
    [[2, 1, 4], [3, 1], [2, 3, 4]],
    [['N', 3], [1, 3], ['N', 3]],
    [['N', 3], ['N', 1], ['N', 3]],
    [['N'], ['M'], [null]],
    [[null], [5], [5]],
    [[null], [1], [null]],
    [[3], [4], 'throws'],
    [null, [3], null],
  ];
  for (const [a, b, exp] of rows) {
    it(`${JSON.stringify(a)} ⊕ ${JSON.stringify(b)}`, () => {
      if (exp === 'throws') assert.throws(() => broadcastShapes(a, b));
      else assert.deepEqual(broadcastShapes(a, b), exp);
    });
  }

  it('compareShapes renames symbols consistently', () => {
    const ren = new Map<string, string>();
    assert.equal(compareShapes(['b', 3], ['batch', 3], ren), 'equal');
    assert.equal(compareShapes(['b', 4], ['batch', 4], ren), 'equal');
    assert.equal(compareShapes(['b'], ['other'], ren), 'different');
    assert.equal(compareShapes([2, null], [2, 5]), 'unknown');
    assert.equal(compareShapes([2], [2, 5]), 'different');
  });
});
