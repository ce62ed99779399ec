/**
 * An external runtime is a user command; its reply (`outputDir/result.json`) is read with a byte cap, only
 * as a regular file inside the output folder (docs/limits.md, "External runtime"). The hostile replies are
 * generated here by a tiny runtime script; none of them reads a device.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXTERNAL_RESULT_MAX_BYTES } from '../../src/limits.js';
import { ExternalRunner, RunnerError } from '../../src/parity/runner.js';

let tmp: string;
let runtime: string;

// Writes the reply STUB_MODE asks for into the manifest's outputDir, then exits 0.
const RUNTIME = `
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
const m = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const out = join(m.outputDir, 'result.json');
const mode = process.env.STUB_MODE;
if (mode === 'big') writeFileSync(out, JSON.stringify({ outputs: {}, pad: 'x'.repeat(Number(process.env.STUB_BYTES)) }));
else if (mode === 'directory') mkdirSync(out);
else if (mode === 'outside') {
  writeFileSync(join(m.outputDir, '..', '..', 'elsewhere.json'), '{"outputs":{}}');
  symlinkSync(join(m.outputDir, '..', '..', 'elsewhere.json'), out);
} else if (mode === 'none') {}
else writeFileSync(out, '{"outputs":{},"runtime":{"name":"stub"}}');
`;

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'edgegate-ext-limits-'));
  runtime = join(tmp, 'runtime.mjs');
  writeFileSync(runtime, RUNTIME);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

async function reply(mode: string, extra: Record<string, string> = {}): Promise<RunnerError | undefined> {
  const runner = new ExternalRunner({ command: process.execPath, args: [runtime], workDir: mkdtempSync(join(tmp, 'w-')), env: { STUB_MODE: mode, ...extra } });
  try {
    await runner.run({ modelPath: join(tmp, 'm.onnx'), inputs: new Map(), outputNames: [], optimization: 'all', purpose: 'production', label: 'x' });
    return undefined;
  } catch (err) {
    assert.ok(err instanceof RunnerError, String(err));
    return err;
  }
}

describe('external runtime result.json', () => {
  it('a small valid reply is read', async () => {
    assert.equal(await reply('ok'), undefined);
  });

  it('a reply just under the cap is read; one byte over is refused with EXTERNAL_RESULT_TOO_LARGE', async () => {
    const overhead = JSON.stringify({ outputs: {}, pad: '' }).length;
    assert.equal(await reply('big', { STUB_BYTES: String(EXTERNAL_RESULT_MAX_BYTES - overhead) }), undefined);
    const err = await reply('big', { STUB_BYTES: String(EXTERNAL_RESULT_MAX_BYTES - overhead + 1) });
    assert.equal(err?.code, 'EXTERNAL_RESULT_TOO_LARGE');
    assert.match(err.message, /EXTERNAL_RESULT_TOO_LARGE: .*result\.json.* over the limit of 16777216 bytes/);
  });

  it('a directory in place of result.json is EXTERNAL_RESULT_UNREADABLE', async () => {
    const err = await reply('directory');
    assert.equal(err?.code, 'EXTERNAL_RESULT_UNREADABLE');
    assert.match(err.message, /is a directory/);
  });

  it('a result.json symlinked out of the output folder is not followed', async () => {
    const err = await reply('outside');
    assert.equal(err?.code, 'EXTERNAL_RESULT_UNREADABLE');
    assert.match(err.message, /outside/);
  });

  it('no result.json is EXTERNAL_RESULT_MISSING', async () => {
    assert.equal((await reply('none'))?.code, 'EXTERNAL_RESULT_MISSING');
  });
});
