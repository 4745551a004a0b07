import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { deriveTestKey, type Hex, signEnvelope, type UnsignedEnvelope } from '../../src/envelope/index.js';
import { openStore, type Store } from '../../src/store/index.js';

let dir: string;
let store: Store | undefined;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sfr-journal-'));
});
afterEach(async () => {
  await store?.close();
  store = undefined;
  await rm(dir, { recursive: true, force: true });
});

const key = deriveTestKey('store-journal');
const unsigned = (seq: number, summary: string): UnsignedEnvelope => ({
  sfr: '1.0',
  type: 'RecoveryEvent',
  issuer: key.address,
  seq,
  issuedAt: 1_767_225_600_000,
  payload: { kind: 'emergency_pause', summary },
});

it('is a durable SigningJournal: signs, refuses a second digest for a slot and a lower seq, across reopen', async () => {
  store = await openStore(dir);
  const seq = await store.reserveSeq(key.address);
  expect(seq).toBe(0);
  const signed = await signEnvelope({
    privateKey: key.privateKey,
    unsigned: unsigned(seq, 'a'),
    guard: store,
  });
  expect((await store.append({ wire: signed.wire, id: signed.messageId })).status).toBe('appended');
  // same content again: deterministic re-sign is allowed
  await signEnvelope({ privateKey: key.privateKey, unsigned: unsigned(seq, 'a'), guard: store });
  await store.close();

  store = await openStore(dir);
  await expect(
    signEnvelope({ privateKey: key.privateKey, unsigned: unsigned(0, 'different'), guard: store }),
  ).rejects.toMatchObject({ code: 'ENVELOPE_SLOT_CONFLICT' });
  await signEnvelope({ privateKey: key.privateKey, unsigned: unsigned(5, 'b'), guard: store });
  await expect(
    signEnvelope({ privateKey: key.privateKey, unsigned: unsigned(3, 'c'), guard: store }),
  ).rejects.toMatchObject({ code: 'ENVELOPE_SEQ_NOT_MONOTONIC' });
  // the next allocated seq is past everything reserved for signing
  expect(await store.reserveSeq(key.address)).toBe(6);
  await store.reserve(
    { kind: 'attestation', claimId: `0x${'aa'.repeat(32)}`, round: 1 },
    `0x${'11'.repeat(32)}` as Hex,
  );
  await expect(
    store.reserve({ kind: 'attestation', claimId: `0x${'aa'.repeat(32)}`, round: 1 }, `0x${'22'.repeat(32)}`),
  ).rejects.toMatchObject({ code: 'ENVELOPE_SLOT_CONFLICT' });
});
