/** The triggering event, parsed from the payload into what EdgeGate needs. Pure. */

export type EventInfo =
  | {
      readonly kind: 'pull_request';
      readonly eventName: string;
      readonly number: number;
      readonly baseSha: string;
      readonly headSha: string;
      readonly baseRef: string;
      readonly labels: readonly string[];
      /** True when the head repo is not the base repo (a fork). */
      readonly fork: boolean;
    }
  | {
      /** push, merge_group, workflow_dispatch, schedule...: every matching model is checked. */
      readonly kind: 'all';
      readonly eventName: string;
      readonly sha: string;
    };

/** The event payload lacks a field EdgeGate needs. */
export class EventPayloadError extends Error {
  readonly eventName: string;
  readonly field: string;
  constructor(eventName: string, field: string) {
    super(`the ${eventName} event payload has no ${field}; is GITHUB_EVENT_PATH the runner's event file?`);
    this.name = 'EventPayloadError';
    this.eventName = eventName;
    this.field = field;
  }
}

const PR_EVENTS = new Set(['pull_request', 'pull_request_target']);

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null ? (v as Obj) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Parses the event. `sha` is GITHUB_SHA. */
export function parseEvent(eventName: string, payload: unknown, sha: string): EventInfo {
  if (PR_EVENTS.has(eventName)) {
    const pr = obj(obj(payload)?.pull_request);
    if (!pr) throw new EventPayloadError(eventName, 'pull_request');
    const base = obj(pr.base);
    const head = obj(pr.head);
    const number = typeof pr.number === 'number' ? pr.number : Number(obj(payload)?.number);
    const baseSha = str(base?.sha);
    const headSha = str(head?.sha);
    if (!Number.isInteger(number) || number <= 0) throw new EventPayloadError(eventName, 'pull_request.number');
    if (!baseSha) throw new EventPayloadError(eventName, 'pull_request.base.sha');
    if (!headSha) throw new EventPayloadError(eventName, 'pull_request.head.sha');
    const labels = Array.isArray(pr.labels) ? pr.labels.map((l) => str(obj(l)?.name)).filter((x): x is string => x !== undefined) : [];
    const headRepo = str(obj(head?.repo)?.full_name);
    const baseRepo = str(obj(base?.repo)?.full_name);
    const fork = obj(head?.repo)?.fork === true || (headRepo !== undefined && baseRepo !== undefined && headRepo !== baseRepo);
    return { kind: 'pull_request', eventName, number, baseSha, headSha, baseRef: str(base?.ref) ?? '', labels, fork };
  }
  return { kind: 'all', eventName, sha };
}
