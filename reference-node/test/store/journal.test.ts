import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { deriveTestKey, type Hex, signEnvelope, type UnsignedEnvelope } from '../../src/envelope/index.js';
import { createLocalSigner } from '../../src/keys/index.js';
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

/** Round 0 votes of `key` on `claimId`, built at a seq and time. */
const voteOn =
  (claimId: Hex) =>
  (seq: number, issuedAt: number, verdict: string): UnsignedEnvelope => ({
    sfr: '1.0',
    type: 'ClaimAttestation',
    issuer: key.address,
    seq,
    issuedAt,
    scope: { poolId: `0x${'dd'.repeat(32)}` as Hex, epoch: 0 },
    payload: { claimId, round: 0, verdict },
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

it('a restarted signer re-signs the recorded vote exactly, never a new one (envelope.md#persist-then-sign)', async () => {
  const claimId = `0x${'cc'.repeat(32)}` as Hex;
  const signer = createLocalSigner({ member: key.address, privateKey: key.privateKey });
  const vote = voteOn(claimId);
  store = await openStore(dir);
  // Killed after the journal recorded the vote's slots, before the vote was stored or sent.
  const first = await signer.signNext(store, (seq) => vote(seq, 1_767_225_600_000, 'approve'));
  await store.close();

  store = await openStore(dir);
  // The retry builds the vote at a later seq and time: the signer signs the recorded one instead.
  const restarted = createLocalSigner({ member: key.address, privateKey: key.privateKey });
  const again = await restarted.signNext(store, (seq) => vote(seq, 1_767_225_660_000, 'approve'));
  expect(again.messageId).toBe(first.messageId);
  expect(again.envelope).toEqual(first.envelope);
  // The seq handed out for the retry was not used up: the next message takes it.
  const next = await restarted.signNext(store, (seq) => unsigned(seq, 'after'));
  expect(next.envelope.seq).toBe(first.envelope.seq + 1);
  // Another vote on the same slot stays refused.
  await expect(
    restarted.signNext(store, (seq) => vote(seq, 1_767_225_660_000, 'reject')),
  ).rejects.toMatchObject({ code: 'ENVELOPE_SLOT_CONFLICT' });
});

it('a vote whose signer was killed between its two slot records is signed again after restart, its seq a gap (envelope.md#persist-then-sign)', async () => {
  const claimId = `0x${'ee'.repeat(32)}` as Hex;
  const vote = voteOn(claimId);
  store = await openStore(dir);
  const open = store;
  // The process dies right after the first slot record: the second reserve never happens.
  const dying = {
    reserveSeq: (issuer: string, atLeast?: number) => open.reserveSeq(issuer, atLeast),
    recorded: (slot: Parameters<NonNullable<Store['recorded']>>[0]) => open.recorded(slot),
    records: 0,
    async reserve(...args: Parameters<Store['reserve']>) {
      if (this.records++ === 1) throw new Error('killed between the slot records');
      return open.reserve(...args);
    },
  };
  const signer = createLocalSigner({ member: key.address, privateKey: key.privateKey });
  await expect(signer.signNext(dying, (seq) => vote(seq, 1_767_225_600_000, 'approve'))).rejects.toThrow(
    'killed between the slot records',
  );
  await store.close();

  store = await openStore(dir);
  const restarted = createLocalSigner({ member: key.address, privateKey: key.privateKey });
  // On start the node signs something else first (its NodeAnnouncement), past the dead vote's seq.
  const first = await restarted.signNext(store, (seq) => unsigned(seq, 'announce'));
  const again = await restarted.signNext(store, (seq) => vote(seq, 1_767_225_660_000, 'approve'));
  expect(again.envelope.seq).toBe(first.envelope.seq + 1);
  // A changed vote is refused before anything is recorded: the next message takes the next seq.
  await expect(
    restarted.signNext(store, (seq) => vote(seq, 1_767_225_660_000, 'reject')),
  ).rejects.toMatchObject({ code: 'ENVELOPE_SLOT_CONFLICT' });
  const after = await restarted.signNext(store, (seq) => unsigned(seq, 'after'));
  expect(after.envelope.seq).toBe(again.envelope.seq + 1);
});
