import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeBudget, humanBytes, humanChange, humanMs, humanPercent, humanQuantity, sig3 } from '../../src/report/humane.js';

describe('humane numbers', () => {
  const cases: [string, string, string][] = [
    ['sig3', sig3(25.994734060606053), '26'],
    ['sig3', sig3(-0.00012345), '\u22121.23e-4'],
    ['ms', humanMs(25.994734060606053), '26.0 ms'],
    ['ms', humanMs(0.32009), '0.320 ms'],
    ['ms', humanMs(0.0403), '40.3 µs'],
    ['ms', humanMs(999.7), '1000 ms'],
    ['ms', humanMs(1234), '1.23 s'],
    ['ms', humanMs(0), '0 ms'],
    ['bytes', humanBytes(512), '512 B'],
    ['bytes', humanBytes(1536), '1.50 KiB'],
    ['bytes', humanBytes(30184627), '28.8 MiB'],
    ['bytes', humanBytes(1048575), '1024 KiB'],
    ['bytes', humanBytes(-2048), '\u22122.00 KiB'],
    ['percent', humanPercent(0), '0%'],
    ['percent', humanPercent(1), '100%'],
    ['percent', humanPercent(0.998), '>99%'],
    ['percent', humanPercent(0.042), '4.2%'],
    ['percent', humanPercent(0.0000001), '<0.01%'],
    ['change', humanChange(0.2500001) ?? '', '+25%'],
    ['change', humanChange(-0.6903) ?? '', '\u221269%'],
    ['change', humanChange(0.003) ?? '', '+0.3%'],
    ['change', humanChange(-0.00001) ?? '', 'same'],
    ['change', humanChange(-0) ?? '', 'same'],
    ['change', humanChange('Infinity') ?? '', 'from 0'],
    ['quantity', humanQuantity(0.95, 'fraction'), '95%'],
    ['quantity', humanQuantity(3.14159, 'ops'), '3.14 ops'],
  ];
  for (const [kind, got, want] of cases) it(`${kind}: ${want}`, () => assert.equal(got, want));

  it('an unknown change is left out, not shown as 0%', () => {
    assert.equal(humanChange(null), undefined);
  });

  it('budgets read as limits and minimums', () => {
    assert.equal(describeBudget({ name: 'latency', limit: 20, value: 25.994734060606053, unit: 'ms', kind: 'max' }), 'estimated latency 26.0 ms, over the 20.0 ms limit');
    assert.equal(describeBudget({ name: 'acceleratedFraction', limit: 0.95, value: 0, unit: 'fraction', kind: 'min' }), 'accelerated share 0%, below the 95% minimum');
    assert.equal(describeBudget({ name: 'ram', limit: 33554432, value: 30184627, unit: 'bytes', kind: 'max' }), 'peak RAM 28.8 MiB of 32.0 MiB');
    assert.equal(describeBudget({ name: 'flash', limit: 1024, value: null, unit: 'bytes' }), 'flash unknown (limit 1.00 KiB)');
  });
});
