/** An in-memory GitHubApi with GitHub's 30-per-page listing, for unit tests. */
import { GitHubApiError, type GitHubApi, type IssueComment, type PullFile } from '../../../src/action/github.js';

export class MemoryApi implements GitHubApi {
  comments: IssueComment[] = [];
  files: PullFile[] = [];
  creates = 0;
  updates = 0;
  pagesRead = 0;
  forbid = false;
  filesCalls = 0;
  next = 1000;
  async *listIssueComments(): AsyncIterable<readonly IssueComment[]> {
    for (let i = 0; i < this.comments.length; i += 30) {
      this.pagesRead++;
      yield this.comments.slice(i, i + 30);
    }
  }
  async createIssueComment(_issue: number, body: string): Promise<IssueComment> {
    if (this.forbid) throw new GitHubApiError('creating the PR comment', 403, 'Resource not accessible by integration');
    this.creates++;
    const c = { id: this.next++, body, user: { login: 'github-actions[bot]', type: 'Bot' } };
    this.comments.push(c);
    return c;
  }
  async updateIssueComment(id: number, body: string): Promise<IssueComment> {
    this.updates++;
    const i = this.comments.findIndex((c) => c.id === id);
    this.comments[i] = { ...this.comments[i]!, body };
    return this.comments[i]!;
  }
  async listPullFiles(): Promise<readonly PullFile[]> {
    this.filesCalls++;
    return this.files;
  }
}
