// The real PR scenario of issue 5: ../shared/models/mobilenet_v3_large.onnx replaced by its int8 QDQ
// variant, checked by the committed dist/index.js (Node 24, clean copy) against at least four devices
// on the fake GitHub. The rendered comment is written to $TMPDIR/edgegate-mobilenet-pr-comment.md.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeGitHub } from '../support/fake-github/index.js';
import { node24 } from './support/node24.js';
import { cleanActionCopy, makeRepo, REPO_ROOT, runAction, runnerInputs } from './support/e2e-harness.js';

const SHARED = join(REPO_ROOT, '..', 'shared', 'models');
const PREFERRED = ['raspberry-pi-4', 'raspberry-pi-5', 'android-nnapi', 'coral-edgetpu', 'qualcomm-htp', 'jetson-orin-nano', 'rockchip-rk3588', 'apple-coreml', 'host-x64'];

describe('mobilenet_v3_large → int8 QDQ PR', () => {
  it('renders the sticky comment for at least four devices', async (t) => {
    if (!existsSync(SHARED)) {
      if (process.env.CI === 'true') assert.fail(`${SHARED} is missing (CI=true requires ../shared)`);
      return t.skip('../shared/models is absent');
    }
    const profiles = new Set(readdirSync(join(REPO_ROOT, 'device-profiles')).map((f) => f.replace(/\.(ya?ml|json)$/, '')));
    const devices = [...PREFERRED.filter((d) => profiles.has(d)), ...[...profiles].filter((d) => !PREFERRED.includes(d)).sort()].slice(0, 5);
    assert.ok(devices.length >= 4, `need four device profiles, have ${devices.join(', ')}`);
    const token = 'ghs_mobilenetScenarioToken0123456789abc';
    const fp32 = readFileSync(join(SHARED, 'mobilenet_v3_large.onnx'));
    const int8 = readFileSync(join(SHARED, 'mobilenet_v3_large.int8.qdq.onnx'));
    const repo = makeRepo({ 'models/mobilenet_v3_large.onnx': fp32 }, { 'models/mobilenet_v3_large.onnx': int8 });
    const actionDir = cleanActionCopy();
    const gh = await startFakeGitHub({ repo: 'acme/vision', tokens: { [token]: 'write' }, pulls: [{ number: 12, headSha: repo.headSha, baseSha: repo.baseSha }] });
    try {
      const r = await runAction({
        node: node24(),
        actionDir,
        gh,
        workspace: repo.workspace,
        event: gh.pullRequestEvent(12),
        sha: repo.headSha,
        inputs: runnerInputs(token, { devices: devices.join(','), 'fail-on': 'regression,error' }),
      });
      const body = gh.commentsOn(12)[0]?.body ?? '';
      const out = join(tmpdir(), 'edgegate-mobilenet-pr-comment.md');
      writeFileSync(out, body);
      t.diagnostic(`exit ${r.code}, verdict ${r.outputs.verdict}, ${body.length} chars, devices ${devices.join(', ')}; comment written to ${out}`);
      assert.notEqual(r.outputs.verdict, 'error', r.stdout);
      // Long paths carry <wbr> break points.
      assert.match(body.replace(/<wbr>/g, ''), /\| \*\*<code>models\/mobilenet&#95;v3&#95;large\.onnx<\/code>\*\* \|/);
      for (const d of devices) assert.match(body, new RegExp(`\\n\\| <code>${d}</code> \\| `));
      assert.ok(body.length < 65_536);
      assert.deepEqual(gh.findLeaks(r.stdout + r.stderr + body), []);
    } finally {
      await gh.close();
      rmSync(repo.root, { recursive: true, force: true });
      rmSync(actionDir, { recursive: true, force: true });
    }
  });
});
