import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RETRY_POLICY, retryAfterMs, retryDelay } from '../../src/action/retry.js';
import { findStickyComment, isForbidden, isTooLong, upsertStickyComment } from '../../src/action/comment.js';
import { GitHubApiError } from '../../src/action/github.js';
import { MemoryApi } from './support/memory-api.js';
import { commentMarker } from '../../src/report/markdown.js';

describe('retryDelay (table)', () => {
  const now = 1_700_000_000_000;
  const cases: [string, number | undefined, Record<string, string>, number, number | null][] = [
    ['502 backs off 1 s', 502, {}, 1, 1000],
    ['503 second retry backs off 2 s', 503, {}, 2, 2000],
    ['500 gives up after the last attempt', 500, {}, 4, null],
    ['network error backs off', undefined, {}, 1, 1000],
    ['403 without rate-limit headers (a fork) is final', 403, {}, 1, null],
    ['403 with Retry-After waits that long', 403, { 'retry-after': '3' }, 1, 3000],
    ['403 with x-ratelimit-remaining 0 waits until reset', 403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 5) }, 1, 5000],
    ['403 with a reset an hour away gives up', 403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 3600) }, 1, null],
    ['403 with x-ratelimit-remaining 12 is final', 403, { 'x-ratelimit-remaining': '12' }, 1, null],
    ['429 backs off', 429, {}, 1, 1000],
    ['404 is final', 404, {}, 1, null],
    ['422 is final', 422, {}, 1, null],
  ];
  for (const [name, status, headers, attempt, want] of cases) {
    it(name, () => assert.equal(retryDelay(status, headers, attempt, DEFAULT_RETRY_POLICY, now), want));
  }
  it('parses Retry-After as seconds or an HTTP date', () => {
    assert.equal(retryAfterMs('2', 0), 2000);
    assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6000);
    assert.equal(retryAfterMs('soon', 0), undefined);
  });
});

describe('sticky comment', () => {
  const body = (key: string, text: string): string => `${commentMarker(key)}\n${text}`;

  it('creates, then updates in place, then skips an unchanged body', async () => {
    const api = new MemoryApi();
    api.comments = Array.from({ length: 70 }, (_, i) => ({ id: i + 1, body: `hello ${i}`, user: { login: 'u', type: 'User' } }));
    const a = await upsertStickyComment(api, 7, '', body('', 'one'));
    assert.equal(a.action, 'created');
    const b = await upsertStickyComment(api, 7, '', body('', 'two'));
    assert.deepEqual([b.action, b.id], ['updated', a.id]);
    assert.equal(api.pagesRead, 6, 'walked all three pages twice');
    const c = await upsertStickyComment(api, 7, '', body('', 'two'));
    assert.equal(c.action, 'unchanged');
    assert.equal(api.creates, 1);
    assert.equal(api.updates, 1);
    assert.equal(api.comments.filter((x) => x.body.includes(commentMarker(''))).length, 1);
  });

  it('keeps comments of different keys apart', async () => {
    const api = new MemoryApi();
    await upsertStickyComment(api, 7, 'wf-a', body('wf-a', 'A'));
    await upsertStickyComment(api, 7, 'wf-b', body('wf-b', 'B'));
    await upsertStickyComment(api, 7, 'wf-a', body('wf-a', 'A2'));
    assert.deepEqual(api.comments.map((c) => c.body.split('\n')[1]), ['A2', 'B']);
  });

  it('prefers the bot-authored comment when a user quoted the marker', async () => {
    const api = new MemoryApi();
    api.comments = [
      { id: 1, body: `${commentMarker('')} quoted`, user: { login: 'someone', type: 'User' } },
      { id: 2, body: `${commentMarker('')} ours`, user: { login: 'github-actions[bot]', type: 'Bot' } },
    ];
    assert.equal((await findStickyComment(api, 7, ''))?.id, 2);
  });

  it('refuses a body without its marker', async () => {
    await assert.rejects(upsertStickyComment(new MemoryApi(), 7, 'k', 'no marker'), TypeError);
  });

  it('classifies 403 and 422-too-long', () => {
    assert.equal(isForbidden(new GitHubApiError('x', 403, 'Resource not accessible by integration')), true);
    assert.equal(isForbidden(new GitHubApiError('x', 500, 'boom')), false);
    assert.equal(isTooLong(new GitHubApiError('x', 422, 'Validation Failed: body is too long (maximum is 65536 characters)')), true);
    assert.equal(isTooLong(new GitHubApiError('x', 422, 'Validation Failed')), false);
  });
});
