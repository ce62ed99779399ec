/**
 * The post stage of the action, shared by the check and report modes: the job summary, the sticky PR
 * comment, the outputs and the step's status, all from one rendered CheckRun. It never decides.
 */
import { failureMessage } from '../gate/decide.js';
import type { GateDecision, ModelChange } from '../gate/types.js';
import { DEFAULT_COMMENT_MAX, renderMarkdown, renderSummary, type RenderInput } from '../report/markdown.js';
import type { CheckModeContext } from './check-mode.js';
import { findStickyComment, isForbidden, isTooLong, upsertStickyComment } from './comment.js';
import { OUTPUT_NAMES } from './inputs.js';

/** Posts or updates the sticky comment per the `comment` input; a read-only token only warns. */
export async function postComment(ctx: Pick<CheckModeContext, 'inputs' | 'event' | 'api' | 'ports' | 'runUrl'>, input: RenderInput, body: string, checked: number): Promise<number | undefined> {
  const { inputs, event, api, ports } = ctx;
  if (event.kind !== 'pull_request' || inputs.comment === 'never') return undefined;
  if (!api) {
    ports.warning('No github-token: the report is in the job summary only.');
    return undefined;
  }
  try {
    if (inputs.comment === 'auto' && checked === 0) {
      // Nothing to report: only refresh a comment an earlier run left, so it does not go stale.
      const existing = await findStickyComment(api, event.number, inputs.commentKey);
      if (!existing) return undefined;
    }
    let result;
    try {
      result = await upsertStickyComment(api, event.number, inputs.commentKey, body);
    } catch (err) {
      if (!isTooLong(err)) throw err;
      // GitHub counted more than we did (it may count bytes of astral characters): halve the room once.
      const shorter = renderMarkdown(input, { maxLength: Math.floor(DEFAULT_COMMENT_MAX * 0.6), summaryUrl: ctx.runUrl });
      result = await upsertStickyComment(api, event.number, inputs.commentKey, shorter);
    }
    ports.info(`PR comment ${result.action}: id ${result.id}`);
    return result.id;
  } catch (err) {
    if (isForbidden(err)) {
      ports.warning(
        `EdgeGate could not comment on PR #${event.number} (${err.message}). The token is read-only, as on pull requests from forks; the report is in the job summary. ` +
          'To comment on fork PRs, use the two-stage workflow in docs/workflows/fork-safe.yml.',
      );
      return undefined;
    }
    ports.warning(`EdgeGate could not post the PR comment: ${(err as Error).message}. The report is in the job summary.`);
    return undefined;
  }
}

/**
 * The post stage shared by the check and report modes: job summary first (the one place the report
 * always reaches: fork PRs, API outages), then the sticky comment, the outputs, and the gate.
 */
export async function publish(
  ctx: CheckModeContext,
  input: RenderInput,
  body: string,
  reportPath: string,
  decision: GateDecision,
  changes: readonly ModelChange[],
): Promise<number | undefined> {
  const { ports } = ctx;
  const { report } = input;
  try {
    await ports.writeSummary(renderSummary(input, reportPath));
  } catch (err) {
    ports.warning(`Could not write the job summary: ${(err as Error).message}`);
  }
  const checked = report.models.length + changes.filter((c) => c.kind === 'deleted').length;
  const commentId = await postComment(ctx, input, body, checked);
  ports.setOutput(OUTPUT_NAMES.report, reportPath);
  ports.setOutput(OUTPUT_NAMES.verdict, decision.verdict);
  ports.setOutput(OUTPUT_NAMES.commentId, commentId === undefined ? '' : String(commentId));
  ports.setOutput(OUTPUT_NAMES.summary, body);
  ports.info(`EdgeGate verdict: ${decision.verdict}`);
  if (decision.failed) ports.setFailed(failureMessage(decision));
  else if (decision.errors.length > 0 || decision.blocking.length > 0) ports.warning(failureMessage(decision));
  return commentId;
}

