import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stableTopoOrder } from '../../src/graph/topo.js';

test('stableTopoOrder: a sorted chain keeps its order; ties go to the smallest index', () => {
  assert.deepEqual(stableTopoOrder([[], [0], [1]]), [0, 1, 2]);
  // 3 depends on nothing but 0 and 2 are ready first: smallest ready index wins each step.
  assert.deepEqual(stableTopoOrder([[1], [], [], [2]]), [1, 0, 2, 3]);
  assert.deepEqual(stableTopoOrder([[2], [2], []]), [2, 0, 1]);
});

test('stableTopoOrder: cycle members and what depends on them are left out', () => {
  assert.deepEqual(stableTopoOrder([[], [2], [1], [1], []]), [0, 4]);
  assert.deepEqual(stableTopoOrder([[0]]), []);
});
