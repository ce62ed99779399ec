/**
 * The Actions results service (Twirp, JSON with proto field names, int64 and wrapper types as bare
 * JSON values) and the Azure block-blob endpoint its signed URLs point to.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Ctx, FakeHost, Reply, RouteDef } from './server.js';
import { azureError, twirpError, type TwirpCode, TWIRP_STATUS } from './bodies.js';
import type { FakeArtifact } from './types.js';

/** Path prefix of the fake blob endpoint (`/<account>/<container>/…`, IP-style as Azurite). */
export const BLOB_PREFIX = '/fakeblob/actions-results/';

/** Route keys of the blob endpoint, for fault injection. */
export const BLOB_ROUTE_KEYS = ['PUT {blob}?comp=block', 'PUT {blob}?comp=blocklist', 'PUT {blob}', 'GET {blob}'] as const;

const SERVICE = '/twirp/github.actions.results.api.v1.ArtifactService';

/** Artifact names the toolkit forbids (upload/path-and-artifact-name-validation.ts). */
const FORBIDDEN_NAME_CHARS = ['"', ':', '<', '>', '|', '*', '?', '\r', '\n', '\\', '/'];

const twirp = (code: TwirpCode, msg: string): Reply => ({ status: TWIRP_STATUS[code], json: twirpError(code, msg) });
const ok = (body: Record<string, unknown>): Reply => ({ status: 200, json: body });

interface IdsReq {
  workflow_run_backend_id?: unknown;
  workflow_job_run_backend_id?: unknown;
  name?: unknown;
}

/** Checks the request's run id against the runtime token's; returns an error reply or null. */
function checkIds(ctx: Ctx, req: IdsReq, needJob: boolean): Reply | null {
  const run = req.workflow_run_backend_id;
  const job = req.workflow_job_run_backend_id;
  if (typeof run !== 'string' || !run) return twirp('invalid_argument', 'workflow_run_backend_id is required');
  if (typeof job !== 'string' || !job) return twirp('invalid_argument', 'workflow_job_run_backend_id is required');
  if (run !== ctx.runtime!.runBackendId) return twirp('permission_denied', 'token is not valid for this workflow run');
  if (needJob && job !== ctx.runtime!.jobBackendId) return twirp('permission_denied', 'token is not valid for this job');
  return null;
}

function liveArtifact(host: FakeHost, runBackendId: string, name: string): FakeArtifact | undefined {
  return host.state.artifacts.find((a) => a.runBackendId === runBackendId && a.name === name && a.state !== 'deleted');
}

function monolith(a: FakeArtifact): Record<string, unknown> {
  const out: Record<string, unknown> = {
    workflow_run_backend_id: a.runBackendId,
    workflow_job_run_backend_id: a.jobBackendId,
    database_id: String(a.id),
    name: a.name,
    size: String(a.size),
    created_at: a.createdAt,
  };
  if (a.digest) out.digest = a.digest;
  return out;
}

const route = (method: string, handle: RouteDef['handle']): RouteDef => ({ key: `POST ${SERVICE}/${method}`, area: 'twirp', handle });

/** The Twirp route table. */
export const TWIRP_ROUTES: readonly RouteDef[] = [
  route('CreateArtifact', (ctx, host) => {
    const req = (ctx.json ?? {}) as IdsReq & { expires_at?: unknown; version?: unknown; mime_type?: unknown };
    const bad = checkIds(ctx, req, true);
    if (bad) return bad;
    const name = req.name;
    if (typeof name !== 'string' || !name) return twirp('invalid_argument', 'name is required');
    if (FORBIDDEN_NAME_CHARS.some((c) => name.includes(c))) return twirp('invalid_argument', `invalid artifact name: ${name}`);
    if (typeof req.version !== 'number' || req.version < 4) return twirp('invalid_argument', 'unsupported artifact version');
    const runBackendId = req.workflow_run_backend_id as string;
    if (liveArtifact(host, runBackendId, name)) {
      return twirp('already_exists', 'an artifact with this name already exists on the workflow run');
    }
    let expiresAt: string;
    if (req.expires_at !== undefined) {
      if (typeof req.expires_at !== 'string' || Number.isNaN(Date.parse(req.expires_at))) return twirp('invalid_argument', 'expires_at is not a timestamp');
      expiresAt = new Date(Date.parse(req.expires_at)).toISOString();
    } else expiresAt = new Date(Date.now() + 90 * 86400_000).toISOString();
    const run = host.runForBackendId(runBackendId);
    const id = host.nextId('artifact');
    const ts = host.stamp();
    const artifact: FakeArtifact = {
      id,
      name,
      runId: run.id,
      runBackendId,
      jobBackendId: req.workflow_job_run_backend_id as string,
      state: 'pending',
      createdAt: ts,
      updatedAt: ts,
      expiresAt,
      mimeType: typeof req.mime_type === 'string' ? req.mime_type : 'application/zip',
      blobPath: `${BLOB_PREFIX}${runBackendId}/${id}`,
      uploadSig: randomBytes(24).toString('hex'),
      blocks: new Map(),
      content: null,
      contentType: null,
      size: 0,
      digest: null,
    };
    host.state.artifacts.push(artifact);
    return ok({ ok: true, signed_upload_url: host.signBlobUrl(artifact, 'cw', 6 * 3600) });
  }),
  route('FinalizeArtifact', (ctx, host) => {
    const req = (ctx.json ?? {}) as IdsReq & { size?: unknown; hash?: unknown };
    const bad = checkIds(ctx, req, true);
    if (bad) return bad;
    const a = typeof req.name === 'string' ? liveArtifact(host, req.workflow_run_backend_id as string, req.name) : undefined;
    if (!a || a.jobBackendId !== req.workflow_job_run_backend_id) return twirp('not_found', `artifact ${String(req.name)} not found`);
    if (a.state === 'finalized') return twirp('failed_precondition', 'artifact is already finalized');
    if (!a.content) return twirp('failed_precondition', 'artifact blob was not uploaded (no committed block list)');
    const size = typeof req.size === 'string' && /^[0-9]+$/.test(req.size) ? Number(req.size) : NaN;
    if (size !== a.content.length) return twirp('invalid_argument', `size ${String(req.size)} does not match the uploaded ${a.content.length} bytes`);
    const digest = `sha256:${createHash('sha256').update(a.content).digest('hex')}`;
    if (req.hash !== undefined && req.hash !== digest) return twirp('invalid_argument', `hash ${String(req.hash)} does not match the uploaded content (${digest})`);
    a.state = 'finalized';
    a.size = size;
    a.digest = digest;
    a.updatedAt = host.stamp();
    a.blocks.clear();
    return ok({ ok: true, artifact_id: String(a.id) });
  }),
  route('ListArtifacts', (ctx, host) => {
    const req = (ctx.json ?? {}) as IdsReq & { name_filter?: unknown; id_filter?: unknown };
    const bad = checkIds(ctx, req, false);
    if (bad) return bad;
    // Run-scoped: every job of the run sees every finalized artifact of the run.
    const artifacts = host.state.artifacts
      .filter((a) => a.runBackendId === req.workflow_run_backend_id && a.state === 'finalized')
      .filter((a) => req.name_filter === undefined || a.name === req.name_filter)
      .filter((a) => req.id_filter === undefined || String(a.id) === String(req.id_filter))
      .map(monolith);
    return ok({ artifacts });
  }),
  route('GetSignedArtifactURL', (ctx, host) => {
    const req = (ctx.json ?? {}) as IdsReq;
    const bad = checkIds(ctx, req, false);
    if (bad) return bad;
    const a = typeof req.name === 'string' ? liveArtifact(host, req.workflow_run_backend_id as string, req.name) : undefined;
    if (!a || a.state !== 'finalized') return twirp('not_found', `artifact ${String(req.name)} not found`);
    return ok({ signed_url: host.signBlobUrl(a, 'r', 3600) });
  }),
  route('DeleteArtifact', (ctx, host) => {
    const req = (ctx.json ?? {}) as IdsReq;
    const bad = checkIds(ctx, req, false);
    if (bad) return bad;
    const a = typeof req.name === 'string' ? liveArtifact(host, req.workflow_run_backend_id as string, req.name) : undefined;
    if (!a || a.state !== 'finalized') return twirp('not_found', `artifact ${String(req.name)} not found`);
    a.state = 'deleted';
    return ok({ ok: true, artifact_id: String(a.id) });
  }),
];

const xml = (status: number, code: string, message: string): Reply => ({
  status,
  headers: { 'content-type': 'application/xml', 'x-ms-error-code': code },
  body: azureError(code, message),
});

/** Parses a Put Block List body: `<BlockList><Latest|Committed|Uncommitted>id</…>…</BlockList>`. */
function parseBlockList(body: string): { kind: string; id: string }[] | null {
  if (!/<BlockList>/.test(body)) return null;
  const out: { kind: string; id: string }[] = [];
  const re = /<(Latest|Committed|Uncommitted)>([^<]*)<\/\1>/g;
  for (let m = re.exec(body); m; m = re.exec(body)) out.push({ kind: m[1], id: m[2].trim() });
  return out;
}

/** Handles Put Block, Put Block List, Put Blob and Get Blob on the fake blob endpoint. */
export function handleBlob(routeKey: string, ctx: Ctx, host: FakeHost): Reply {
  const a = host.state.artifacts.find((x) => x.blobPath === ctx.path);
  if (!a || a.state === 'deleted') return xml(404, 'BlobNotFound', 'The specified blob does not exist.');
  const write = routeKey !== 'GET {blob}';
  if (!host.checkSas(a, ctx.query, write)) {
    return xml(403, 'AuthenticationFailed', 'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.');
  }
  // Artifacts are immutable once finalized.
  if (write && a.state !== 'pending') return xml(409, 'BlobImmutable', 'This operation is not permitted because the blob is immutable.');
  const created = { 'content-length': '0', 'last-modified': new Date().toUTCString(), etag: `"0x${a.id.toString(16).toUpperCase()}"` };
  switch (routeKey) {
    case 'PUT {blob}?comp=block': {
      const blockId = ctx.query.get('blockid');
      if (!blockId) return xml(400, 'InvalidQueryParameterValue', 'Value for one of the query parameters specified in the request URI is invalid.');
      a.blocks.set(blockId, ctx.rawBody);
      return { status: 201, headers: { 'x-ms-request-server-encrypted': 'true' }, body: '' };
    }
    case 'PUT {blob}?comp=blocklist': {
      const list = parseBlockList(ctx.rawBody.toString('utf8'));
      if (!list) return xml(400, 'InvalidXmlDocument', 'XML specified is not syntactically valid.');
      const parts: Buffer[] = [];
      for (const { id } of list) {
        const block = a.blocks.get(id);
        if (!block) return xml(400, 'InvalidBlockList', 'The specified block list is invalid.');
        parts.push(block);
      }
      a.content = Buffer.concat(parts);
      a.contentType = headerString(ctx, 'x-ms-blob-content-type') ?? 'application/octet-stream';
      return { status: 201, headers: { ...created, 'x-ms-request-server-encrypted': 'true' }, body: '' };
    }
    case 'PUT {blob}': {
      if (headerString(ctx, 'x-ms-blob-type') !== 'BlockBlob') return xml(400, 'MissingRequiredHeader', 'An HTTP header that\'s mandatory for this request is not specified.');
      a.content = Buffer.from(ctx.rawBody);
      a.contentType = headerString(ctx, 'x-ms-blob-content-type') ?? headerString(ctx, 'content-type') ?? 'application/octet-stream';
      return { status: 201, headers: { ...created, 'x-ms-request-server-encrypted': 'true' }, body: '' };
    }
    default: {
      if (a.state !== 'finalized' || !a.content) return xml(404, 'BlobNotFound', 'The specified blob does not exist.');
      return {
        status: 200,
        headers: {
          'content-type': a.contentType ?? a.mimeType,
          'x-ms-blob-type': 'BlockBlob',
          'last-modified': new Date(Date.parse(a.updatedAt)).toUTCString(),
          // Raw (skipArchive) files keep their name on download.
          ...(a.mimeType === 'application/zip' ? {} : { 'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(a.name)}` }),
        },
        body: a.content,
      };
    }
  }
}

function headerString(ctx: Ctx, name: string): string | undefined {
  const v = ctx.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
