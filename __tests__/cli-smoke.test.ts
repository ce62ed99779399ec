import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../src/cli/main.js';

test('no arguments is a usage error', async () => {
  assert.equal(await main([]), 2);
});
