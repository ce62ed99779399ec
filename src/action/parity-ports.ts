/**
 * The real ParityPorts: @actions/artifact for the run's artifacts, and the REST runners list (needs
 * a token with administration read, the `runner-status-token` input) through Octokit with retries.
 */
import { context, getOctokit } from '@actions/github';
import { createActionsArtifactStore } from './artifacts.js';
import type { Inputs } from './inputs.js';
import type { ParityPorts, RunnerStatus } from './parity-check.js';
import { DEFAULT_RETRY_POLICY, retryDelay } from './retry.js';

/** Lists the repository's self-hosted runners, every page. The token is never logged. */
export function createRunnerLister(token: string, owner: string, repo: string): () => Promise<readonly RunnerStatus[]> {
  const octokit = getOctokit(token);
  octokit.hook.wrap('request', async (request, options) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request(options);
      } catch (err) {
        const e = err as { status?: number; response?: { headers?: Record<string, string | number | undefined> } };
        const delay = retryDelay(e.status, e.response?.headers ?? {}, attempt, DEFAULT_RETRY_POLICY);
        if (delay === null) throw err;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  });
  return async () => {
    const runners = await octokit.paginate(octokit.rest.actions.listSelfHostedRunnersForRepo, { owner, repo, per_page: 100 });
    return runners.map((r) => ({ name: r.name, status: r.status, labels: r.labels.map((l) => l.name) }));
  };
}

/** Ports for the action: artifacts when the runner provides the service, runners when a token was given. */
export function defaultParityPorts(inputs: Inputs): ParityPorts {
  const { owner, repo } = context.repo;
  return {
    artifacts: process.env.ACTIONS_RUNTIME_TOKEN ? createActionsArtifactStore() : undefined,
    ...(inputs.runnerStatusToken ? { listRunners: createRunnerLister(inputs.runnerStatusToken, owner, repo) } : {}),
  };
}
