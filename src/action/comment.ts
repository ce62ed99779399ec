/** The sticky PR comment: find by hidden marker through every page, update in place, else create. */
import { commentMarker } from '../report/markdown.js';
import { GitHubApiError, type GitHubApi, type IssueComment } from './github.js';

export interface StickyResult {
  readonly id: number;
  readonly action: 'created' | 'updated' | 'unchanged';
}

/** Finds the sticky comment for `key`; prefers one written by a bot (the token's own comments). */
export async function findStickyComment(api: GitHubApi, issue: number, key: string): Promise<IssueComment | undefined> {
  const marker = commentMarker(key);
  const found: IssueComment[] = [];
  for await (const page of api.listIssueComments(issue)) {
    for (const c of page) if (c.body.includes(marker)) found.push(c);
  }
  return found.find((c) => c.user?.type === 'Bot') ?? found[0];
}

/**
 * Creates or updates the sticky comment. `body` must start with the marker of `key` (renderMarkdown
 * does that). An unchanged body is not re-sent.
 */
export async function upsertStickyComment(api: GitHubApi, issue: number, key: string, body: string): Promise<StickyResult> {
  if (!body.includes(commentMarker(key))) throw new TypeError('the comment body lacks its sticky marker');
  const existing = await findStickyComment(api, issue, key);
  if (existing) {
    if (existing.body === body) return { id: existing.id, action: 'unchanged' };
    const r = await api.updateIssueComment(existing.id, body);
    return { id: r.id, action: 'updated' };
  }
  const r = await api.createIssueComment(issue, body);
  return { id: r.id, action: 'created' };
}

/** True for the 403 a read-only token gets (fork PRs): write the summary only, do not fail. */
export function isForbidden(e: unknown): e is GitHubApiError {
  return e instanceof GitHubApiError && e.status === 403;
}

/** True for GitHub's 422 on bodies over 65,536 characters. */
export function isTooLong(e: unknown): e is GitHubApiError {
  return e instanceof GitHubApiError && e.status === 422 && /too long|maximum is/i.test(e.message);
}
