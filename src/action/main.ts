/**
 * The action's entry: parse inputs once, build the ports, run the mode, and turn errors into
 * `verdict: error` + core.setFailed. The only module (with github.ts) that touches @actions/*.
 */
import * as core from '@actions/core';
import { context } from '@actions/github';
import { tmpdir } from 'node:os';
import { CliGitClient } from '../git/cli.js';
import type { ActionPorts } from './check-mode.js';
import { parseEvent } from './context.js';
import { createOctokitApi } from './github.js';
import { InputError, OUTPUT_NAMES, parseInputs } from './inputs.js';
import { IMPLEMENTED_MODES, MODE_HANDLERS } from './modes.js';

function ports(): ActionPorts {
  return {
    info: (m) => core.info(m),
    warning: (m) => core.warning(m),
    setOutput: (n, v) => core.setOutput(n, v),
    setFailed: (m) => core.setFailed(m),
    writeSummary: async (md) => {
      await core.summary.addRaw(md, true).write({ overwrite: false });
    },
  };
}

/** Runs the action. Never rejects: every failure ends in outputs and setFailed. */
export async function run(): Promise<void> {
  try {
    const inputs = parseInputs((name) => core.getInput(name), IMPLEMENTED_MODES);
    // No core.setSecret(token): `::add-mask::` would print the token to stdout. The runner already
    // masks github.token and secrets; EdgeGate never prints the token anywhere.
    const event = parseEvent(context.eventName ?? process.env.GITHUB_EVENT_NAME ?? '', context.payload, context.sha ?? '');
    const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
    const { owner, repo } = context.repo;
    const p = ports();
    const api = inputs.githubToken ? createOctokitApi({ token: inputs.githubToken, owner, repo, log: (m) => core.info(m) }) : undefined;
    const runUrl = process.env.GITHUB_RUN_ID ? `${context.serverUrl}/${owner}/${repo}/actions/runs/${process.env.GITHUB_RUN_ID}` : undefined;
    const handler = MODE_HANDLERS[inputs.mode]!;
    await handler({
      inputs,
      event,
      workspace,
      tempDir: process.env.RUNNER_TEMP ?? tmpdir(),
      git: new CliGitClient({ cwd: workspace }),
      api,
      ...(runUrl ? { runUrl } : {}),
      ports: p,
    });
  } catch (err) {
    core.setOutput(OUTPUT_NAMES.verdict, 'error');
    const e = err as Error;
    // Configuration errors are not gate failures; say so, so a red check is not read as a regression.
    const kind = err instanceof InputError ? 'configuration error' : 'error';
    core.setFailed(`EdgeGate ${kind} (verdict: error, not a gate failure): ${e.message}`);
    if (!(err instanceof InputError) && e.stack) core.debug(e.stack);
  }
}
