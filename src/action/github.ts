/**
 * The GitHub REST client the action needs, behind a small interface, with retries. The real one wraps
 * @actions/github's Octokit; tests use the fake GitHub server over loopback.
 */
import { getOctokit } from '@actions/github';
import { DEFAULT_RETRY_POLICY, retryDelay, type RetryPolicy } from './retry.js';

export interface IssueComment {
  readonly id: number;
  readonly body: string;
  readonly user?: { readonly login: string; readonly type?: string } | null;
}

/** A file of a PR as the files API lists it. */
export interface PullFile {
  readonly filename: string;
  readonly status: string;
  readonly previous_filename?: string;
}

export interface GitHubApi {
  /** Comments of an issue or PR, page by page, oldest first. */
  listIssueComments(issue: number): AsyncIterable<readonly IssueComment[]>;
  createIssueComment(issue: number, body: string): Promise<IssueComment>;
  updateIssueComment(id: number, body: string): Promise<IssueComment>;
  /** The PR's files (the API stops at 3,000). */
  listPullFiles(pr: number): Promise<readonly PullFile[]>;
}

/** A failed API call, with the status and GitHub's message; never the token or request headers. */
export class GitHubApiError extends Error {
  readonly status: number | undefined;
  readonly operation: string;
  constructor(operation: string, status: number | undefined, message: string, options?: { cause?: unknown }) {
    super(`${operation} failed${status ? ` (HTTP ${status})` : ''}: ${message}`, options);
    this.name = 'GitHubApiError';
    this.status = status;
    this.operation = operation;
  }
}

export interface OctokitApiOptions {
  readonly token: string;
  readonly owner: string;
  readonly repo: string;
  readonly policy?: RetryPolicy;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Receives one line per retry (never headers or the token). */
  readonly log?: (message: string) => void;
}

interface ErrorLike {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

function apiMessage(e: ErrorLike): string {
  const data = e.response?.data as { message?: unknown } | undefined;
  return typeof data?.message === 'string' ? data.message : (e.message ?? 'unknown error');
}

/** GitHubApi over Octokit, retrying per retry.ts. */
export function createOctokitApi(o: OctokitApiOptions): GitHubApi {
  const octokit = getOctokit(o.token);
  const policy = o.policy ?? DEFAULT_RETRY_POLICY;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  // Every request (pagination included) goes through this hook.
  octokit.hook.wrap('request', async (request, options) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request(options);
      } catch (err) {
        const e = err as ErrorLike;
        const delay = retryDelay(e.status, e.response?.headers ?? {}, attempt, policy);
        if (delay === null) throw err;
        o.log?.(`GitHub API ${String(options.method)} ${String(options.url)} got ${e.status ?? 'a network error'}; retry ${attempt}/${policy.maxAttempts - 1} in ${delay} ms`);
        await sleep(delay);
      }
    }
  });
  const base = { owner: o.owner, repo: o.repo };
  const wrap = async <T>(operation: string, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (err) {
      const e = err as ErrorLike;
      throw new GitHubApiError(operation, e.status, apiMessage(e), { cause: err });
    }
  };
  return {
    async *listIssueComments(issue: number) {
      // GitHub's default page size (30): the e2e suite then proves the walk through Link headers.
      const it = octokit.paginate.iterator(octokit.rest.issues.listComments, { ...base, issue_number: issue });
      const iter = it[Symbol.asyncIterator]();
      for (;;) {
        const r = await wrap('listing PR comments', () => iter.next());
        if (r.done) return;
        yield r.value.data.map((c) => ({ id: c.id, body: c.body ?? '', user: c.user ? { login: c.user.login, type: c.user.type } : null }));
      }
    },
    async createIssueComment(issue, body) {
      const r = await wrap('creating the PR comment', () => octokit.rest.issues.createComment({ ...base, issue_number: issue, body }));
      return { id: r.data.id, body: r.data.body ?? '' };
    },
    async updateIssueComment(id, body) {
      const r = await wrap('updating the PR comment', () => octokit.rest.issues.updateComment({ ...base, comment_id: id, body }));
      return { id: r.data.id, body: r.data.body ?? '' };
    },
    async listPullFiles(pr) {
      const files = await wrap('listing PR files', () => octokit.paginate(octokit.rest.pulls.listFiles, { ...base, pull_number: pr, per_page: 100 }));
      return files.map((f) => ({ filename: f.filename, status: f.status, previous_filename: f.previous_filename }));
    },
  };
}
