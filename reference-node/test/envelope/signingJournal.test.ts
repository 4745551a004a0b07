import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createMemorySigningJournal,
  deriveTestKey,
  EnvelopeError,
  openFileSigningJournal,
  signEnvelope,
  type UnsignedEnvelope,
} from '../../src/envelope/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const issuer = '0x00000000000000000000000000000000000000aa' as const;
const d = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as const;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sfr-journal-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (error) {
    return error instanceof EnvelopeError ? error.code : String(error);
  }
}

describe('signing journal (persist-then-sign)', () => {
  for (const kind of ['memory', 'file'] as const) {
    it(`${kind}: same slot + same digest is idempotent, a different digest or a lower seq is refused`, async () => {
      const j =
        kind === 'memory' ? createMemorySigningJournal() : await openFileSigningJournal(path.join(dir, 'j'));
      await j.reserve({ kind: 'seq', issuer, seq: 5 }, d(1));
      expect(await codeOf(j.reserve({ kind: 'seq', issuer, seq: 5 }, d(1)))).toBe('resolved');
      expect(
        await codeOf(
          j.reserve(
            { kind: 'seq', issuer: issuer.toUpperCase().replace('0X', '0x') as typeof issuer, seq: 5 },
            d(2),
          ),
        ),
      ).toBe('ENVELOPE_SLOT_CONFLICT');
      expect(await codeOf(j.reserve({ kind: 'seq', issuer, seq: 4 }, d(3)))).toBe(
        'ENVELOPE_SEQ_NOT_MONOTONIC',
      );
      expect(
        await codeOf(
          j.reserve({ kind: 'seq', issuer: '0x00000000000000000000000000000000000000bb', seq: 1 }, d(3)),
        ),
      ).toBe('resolved');
      await j.reserve({ kind: 'attestation', claimId: d(9), round: 1 }, d(4));
      expect(await codeOf(j.reserve({ kind: 'attestation', claimId: d(9), round: 1 }, d(5)))).toBe(
        'ENVELOPE_SLOT_CONFLICT',
      );
      expect(await codeOf(j.reserve({ kind: 'attestation', claimId: d(9), round: 2 }, d(5)))).toBe(
        'resolved',
      );
      if (kind === 'file') await (j as Awaited<ReturnType<typeof openFileSigningJournal>>).close();
    });
  }

  it('file: survives a reopen, truncates a torn last line, refuses a corrupt one', async () => {
    const file = path.join(dir, 'j');
    const j = await openFileSigningJournal(file);
    await j.reserve({ kind: 'seq', issuer, seq: 1 }, d(1));
    await j.close();
    appendFileSync(file, '{"slot":{"kind":"seq","iss'); // a write cut short by a crash
    const again = await openFileSigningJournal(file);
    expect(again.size).toBe(1);
    expect(await codeOf(again.reserve({ kind: 'seq', issuer, seq: 1 }, d(2)))).toBe('ENVELOPE_SLOT_CONFLICT');
    await again.reserve({ kind: 'seq', issuer, seq: 2 }, d(2));
    await again.close();
    expect(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).slot.seq),
    ).toEqual([1, 2]);
    writeFileSync(file, 'not json\n');
    expect(await codeOf(openFileSigningJournal(file))).toBe('ENVELOPE_JOURNAL_CORRUPT');
  });

  it('file: every slot acknowledged before kill -9 is still reserved after restart', async () => {
    const file = path.join(dir, 'killed');
    // `node --import tsx`, not the tsx CLI: the CLI runs the script in a grandchild, so SIGKILL
    // would stop only the wrapper while the real writer kept appending to the journal.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(here, 'fixtures/journalChild.ts'), file],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const acked: number[] = [];
    let buf = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      // Generous: tsx start-up on a loaded 2-core machine can take several seconds.
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('child produced too few acks in 45 s'));
      }, 45_000);
      child.stdout.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const l of lines) acked.push(Number(l));
        if (acked.length >= 20) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    expect(await exited).toBe('SIGKILL');
    const j = await openFileSigningJournal(file);
    expect(j.size).toBeGreaterThanOrEqual(acked.length);
    for (const seq of acked) {
      expect(await codeOf(j.reserve({ kind: 'seq', issuer, seq }, d(seq + 1)))).toBe(
        'ENVELOPE_SLOT_CONFLICT',
      );
      expect(await codeOf(j.reserve({ kind: 'seq', issuer, seq }, d(seq)))).toBe('resolved');
    }
    await j.close();
  });

  it('signEnvelope reserves before signing: a restart cannot sign two different messages for one slot', async () => {
    const key = deriveTestKey('sfr-test-key-1');
    const file = path.join(dir, 'sign');
    const unsigned = (note: string): UnsignedEnvelope => ({
      sfr: '1.0',
      type: 'RecoveryEvent',
      issuer: key.address,
      seq: 3,
      issuedAt: 1,
      payload: { note },
    });
    const first = await openFileSigningJournal(file);
    const a = await signEnvelope({ privateKey: key.privateKey, unsigned: unsigned('a'), guard: first });
    await first.close();
    const restarted = await openFileSigningJournal(file);
    const again = await signEnvelope({
      privateKey: key.privateKey,
      unsigned: unsigned('a'),
      guard: restarted,
    });
    expect(again.messageId).toBe(a.messageId);
    expect(
      await codeOf(signEnvelope({ privateKey: key.privateKey, unsigned: unsigned('b'), guard: restarted })),
    ).toBe('ENVELOPE_SLOT_CONFLICT');
    const att = (verdict: string, seq: number): UnsignedEnvelope => ({
      sfr: '1.0',
      type: 'ClaimAttestation',
      issuer: key.address,
      seq,
      issuedAt: 1,
      scope: { poolId: d(1), epoch: 0 },
      payload: { claimId: d(7), round: 1, verdict },
    });
    await signEnvelope({ privateKey: key.privateKey, unsigned: att('approve', 4), guard: restarted });
    expect(
      await codeOf(
        signEnvelope({ privateKey: key.privateKey, unsigned: att('reject', 5), guard: restarted }),
      ),
    ).toBe('ENVELOPE_SLOT_CONFLICT');
    await restarted.close();
  });
});
