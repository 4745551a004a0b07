/**
 * `sfr keys rotate` against two `sfr node start` processes (spec/v1/node.md#rotation, api.md#routes):
 * the running node opens the new key from a file on its host and publishes the rotation; the other
 * node accepts what the new key signs; bad requests are refused with their code and publish
 * nothing; a restart with the old key file is refused (`KEY_SUPERSEDED`) instead of signing
 * envelopes every peer would refuse, and a restart with the new key file signs on.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TIMEOUTS, waitFor } from '../../../scripts/testTimeouts.js';
import { cli } from '../cli/captureCli.js';
import { api, createProcNetwork, type Json, type ProcNetwork } from '../e2e/processNetwork.js';
import { alertPayload } from '../node/fixtures.js';

const PASS = 'rotate me, then forget me';
let net: ProcNetwork;

/** Publishes an alert at node 0 and waits until node 1 holds it (i.e. node 1 accepted its signature). */
async function publishAccepted(n: number): Promise<Json> {
  const r = await api(net.nodes[0]!, 'POST', '/v1/alerts', { payload: alertPayload(Date.now(), n) });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  await waitFor(
    async () => (await api(net.nodes[1]!, 'GET', `/v1/messages/${r.json.messageId}`)).status === 200,
    TIMEOUTS.event,
    `alert ${n} at the other node`,
  );
  return r.json;
}

beforeAll(async () => {
  net = await createProcNetwork(2);
  await Promise.all([net.start(0), net.start(1)]);
}, TIMEOUTS.hook);
afterAll(async () => {
  await net?.stop();
}, TIMEOUTS.hook);

it(
  'rotates a running node’s key from a file on its host; a restart must name the new key',
  async () => {
    const [a] = net.nodes as [(typeof net.nodes)[0] & {}];
    const member = a.key.address;
    await publishAccepted(1);

    const passFile = path.join(a.dir, 'new.pass');
    await writeFile(passFile, `${PASS}\n`, { mode: 0o600 });
    const newKeyFile = path.join(a.dir, 'member-2.key.json');
    const made = await cli(
      'keys',
      'new',
      '--out',
      newKeyFile,
      '--password-file',
      passFile,
      '--light-kdf',
      '--json',
    );
    expect(made.code, made.stderr).toBe(0);
    const newKey = JSON.parse(made.stdout).address as string;

    const tokenFile = path.join(a.dir, 'http.token');
    const asNode = ['--api', a.apiUrl, '--token-file', tokenFile];
    const headBefore = (await api(a, 'GET', '/v1/status')).json.headSeq as number;

    // refused, nothing published: a relative path, a key file open to others, no passphrase
    const relative = await api(a, 'POST', '/v1/keys/rotate', { keyFile: 'member-2.key.json' });
    expect([relative.status, relative.json.code, relative.json.pointer]).toEqual([
      422,
      'SCHEMA_PATTERN',
      '/keyFile',
    ]);
    await chmod(newKeyFile, 0o644);
    const open = await cli('keys', 'rotate', newKeyFile, '--password-file', passFile, ...asNode);
    expect([open.code, open.stderr]).toEqual([1, expect.stringMatching(/^error KEY_FILE_INSECURE: /)]);
    await chmod(newKeyFile, 0o600);
    const noPass = await cli('keys', 'rotate', newKeyFile, ...asNode);
    expect(noPass.stderr).toMatch(/^error KEY_PASSPHRASE_MISSING: /);
    expect((await api(a, 'GET', '/v1/status')).json.headSeq).toBe(headBefore);

    const rotated = await cli('keys', 'rotate', newKeyFile, '--password-file', passFile, ...asNode, '--json');
    expect(rotated.code, rotated.stderr).toBe(0);
    const r = JSON.parse(rotated.stdout);
    expect(r).toMatchObject({ member, newKey, effectiveFromSeq: r.seq + 1, keyFile: newKeyFile });
    const again = await cli('keys', 'rotate', newKeyFile, '--password-file', passFile, ...asNode);
    expect(again.stderr).toMatch(/^error KEY_ROTATION_REFUSED: .*the new key is the key in use/);

    // signed by the new key from effectiveFromSeq (a heartbeat may come first), issued by the member:
    // accepted at the other node
    const next = await publishAccepted(2);
    expect(next.seq).toBeGreaterThanOrEqual(r.effectiveFromSeq);
    expect(next.envelope.issuer).toBe(member);

    // A restart with the old key file would sign what every peer refuses: it is refused.
    await net.kill(0, 'SIGTERM');
    await expect(net.start(0)).rejects.toThrow(/KEY_SUPERSEDED/);
    expect(a.logs.join('\n')).toContain(
      `error KEY_SUPERSEDED: the member ${member} signs with ${newKey} from seq ${r.effectiveFromSeq} on`,
    );

    // Pointed at the new key, it starts and signs on.
    const config = JSON.parse(await readFile(a.configFile, 'utf8'));
    config.identity = { ...config.identity, keyFile: newKeyFile, passwordFile: passFile, member };
    await writeFile(a.configFile, JSON.stringify(config, null, 2));
    await net.start(0);
    const after = await publishAccepted(3);
    expect(after.seq).toBeGreaterThan(next.seq);
  },
  TIMEOUTS.e2eTest,
);
