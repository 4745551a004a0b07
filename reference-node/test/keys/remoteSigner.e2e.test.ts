/**
 * A node whose member key is held by a remote signer speaking the Web3Signer eth1 API
 * (spec/v1/node.md#remote-signer): a real HTTP signer started here, two real nodes on loopback.
 * Every envelope is signed through it and accepted by the other node; a signer that answers for
 * another key, fails, hangs or is down makes publishing fail with its KEY_SIGNER_* code, publishes
 * nothing, and leaves no sequence number half-used.
 */
import { chmod, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEOUTS, waitFor } from '../../../scripts/testTimeouts.js';
import { createRemoteSigner, loadMemberSigner, type MemberSigner } from '../../src/keys/index.js';
import { stringifyTopic } from '../../src/network/topics.js';
import { alertPayload, startNetwork, type TestNetwork, testKeys, waitForMesh } from '../node/fixtures.js';
import { startTestWeb3Signer, type TestWeb3Signer } from './web3Signer.js';

const [memberKey] = testKeys(1);

/** A loopback port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
let signerServer: TestWeb3Signer;
let remote: MemberSigner;
let net: TestNetwork;

beforeAll(async () => {
  signerServer = await startTestWeb3Signer([memberKey!.privateKey]);
  remote = await createRemoteSigner({
    url: signerServer.url,
    publicKey: signerServer.publicKeys[0]!,
    timeoutMs: 1_000,
  });
  net = await startNetwork({ n: 2, overrides: (i) => (i === 0 ? { signer: remote } : {}) });
  await waitForMesh(net.nodes, stringifyTopic({ kind: 'contagion_alerts' }));
}, TIMEOUTS.hook);
afterAll(async () => {
  await net?.stop();
  await signerServer?.close();
}, TIMEOUTS.hook);

describe('a node signing through a Web3Signer', () => {
  it('loads the signer from a key file that names it, and checks the signer holds the key', async () => {
    const dir = net.dirs[0]!;
    const ref = path.join(dir, 'remote.json');
    const write = async (publicKey: string, url = signerServer.url) => {
      await writeFile(ref, JSON.stringify({ kind: 'sfr-remote-signer', url, publicKey }), { mode: 0o600 });
      await chmod(ref, 0o600);
    };
    await write(signerServer.publicKeys[0]!);
    const signer = await loadMemberSigner({ identity: { keyFile: 'remote.json' }, baseDir: dir });
    expect([signer.kind, signer.member, signer.key]).toEqual([
      'remote',
      memberKey!.address,
      memberKey!.address,
    ]);

    const stranger = `0x${'ab'.repeat(64)}`;
    await write(stranger);
    await expect(loadMemberSigner({ identity: { keyFile: ref }, baseDir: dir })).rejects.toMatchObject({
      code: 'KEY_SIGNER_UNKNOWN_KEY',
    });
    const closed = await freePort();
    await write(signerServer.publicKeys[0]!, `http://127.0.0.1:${closed}`);
    await expect(loadMemberSigner({ identity: { keyFile: ref }, baseDir: dir })).rejects.toMatchObject({
      code: 'KEY_SIGNER_UNAVAILABLE',
      message: `cannot reach the remote signer (ECONNREFUSED) (http://127.0.0.1:${closed}/api/v1/eth1/publicKeys)`,
    });
  });

  it('signs every envelope through the signer; the other node accepts them', async () => {
    const [a, b] = net.nodes as [NonNullable<(typeof net.nodes)[0]>, NonNullable<(typeof net.nodes)[1]>];
    const before = signerServer.signed;
    const first = await a.publish('ContagionAlert', alertPayload(Date.now(), 1));
    const second = await a.publish('ContagionAlert', alertPayload(Date.now(), 2));
    expect(signerServer.signed - before).toBe(2);
    expect(second.seq).toBe(first.seq + 1);
    expect(first.envelope.issuer).toBe(memberKey!.address);
    await waitFor(
      async () => (await b.store.getMessage(second.messageId)) !== undefined,
      TIMEOUTS.event,
      'the second alert at the other node',
    );
  });

  it('refuses a signature by another key, a failing, hanging or absent signer, without using a seq', async () => {
    const [a, b] = net.nodes as [NonNullable<(typeof net.nodes)[0]>, NonNullable<(typeof net.nodes)[1]>];
    const head = a.store.headSeq(a.member)!;
    const cases = [
      ['wrong-key', 'KEY_SIGNER_WRONG_KEY'],
      ['error', 'KEY_SIGNER_UNAVAILABLE'],
      ['hang', 'KEY_SIGNER_TIMEOUT'],
    ] as const;
    for (const [behaviour, code] of cases) {
      signerServer.behave(behaviour);
      await expect(a.publish('ContagionAlert', alertPayload(Date.now(), 3)), behaviour).rejects.toMatchObject(
        { code },
      );
    }
    signerServer.behave('ok');
    const down = await createRemoteSigner({
      url: signerServer.url,
      publicKey: signerServer.publicKeys[0]!,
      timeoutMs: 1_000,
    });
    await signerServer.close();
    await expect(
      down.signNext(a.store, (seq) => ({
        sfr: '1.0',
        type: 'ContagionAlert',
        issuer: a.member as `0x${string}`,
        seq,
        issuedAt: Date.now(),
        payload: alertPayload(Date.now(), 4) as never,
      })),
    ).rejects.toMatchObject({ code: 'KEY_SIGNER_UNAVAILABLE' });
    expect(a.store.headSeq(a.member)).toBe(head);
    // the signer is back (same port): the next envelope takes the very next seq, and is accepted
    signerServer = await startTestWeb3Signer([memberKey!.privateKey], Number(new URL(signerServer.url).port));
    const next = await a.publish('ContagionAlert', alertPayload(Date.now(), 5));
    expect(next.seq).toBe(head + 1);
    await waitFor(
      async () => (await b.store.getMessage(next.messageId)) !== undefined,
      TIMEOUTS.event,
      'the alert signed after the failures at the other node',
    );
  });
});
