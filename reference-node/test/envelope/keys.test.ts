import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { privateKeyToAccount } from 'viem/accounts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addressOfPrivateKey,
  deriveTestKey,
  EnvelopeError,
  generateMemberKey,
  loadMemberKey,
  saveMemberKey,
} from '../../src/envelope/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sfr-keys-'));
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

describe('member keys', () => {
  it('derive the same address as viem (EIP-55)', () => {
    for (let i = 0; i < 5; i++) {
      const k = i === 0 ? deriveTestKey('sfr-test-key-1') : generateMemberKey();
      expect(k.address).toBe(privateKeyToAccount(k.privateKey).address);
    }
  });

  it('save with mode 0600, load back, refuse overwrite, refuse loose permissions and bad files', async () => {
    const file = path.join(dir, 'member.key');
    const key = generateMemberKey();
    await saveMemberKey(file, key);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await loadMemberKey(file)).toEqual(key);
    expect(await codeOf(saveMemberKey(file, generateMemberKey()))).toBe('ENVELOPE_INVALID_INPUT');
    chmodSync(file, 0o644);
    expect(await codeOf(loadMemberKey(file))).toBe('ENVELOPE_KEY_FILE_INSECURE');
    writeFileSync(path.join(dir, 'bad'), 'nope', { mode: 0o600 });
    expect(await codeOf(loadMemberKey(path.join(dir, 'bad')))).toBe('ENVELOPE_KEY_FILE_INVALID');
    const other = generateMemberKey();
    writeFileSync(
      path.join(dir, 'mismatch'),
      JSON.stringify({ kind: 'sfr-member-key', address: other.address, privateKey: key.privateKey }),
      { mode: 0o600 },
    );
    expect(await codeOf(loadMemberKey(path.join(dir, 'mismatch')))).toBe('ENVELOPE_KEY_INVALID');
  });

  it('refuse a private key outside 1 … n−1', () => {
    expect(() => addressOfPrivateKey(`0x${'0'.repeat(64)}`)).toThrowError(EnvelopeError);
    expect(() => addressOfPrivateKey(`0x${'f'.repeat(64)}`)).toThrowError(/Not a secp256k1 private key/);
    expect(() => addressOfPrivateKey('0x1234')).toThrowErrorMatchingInlineSnapshot(`
      [EnvelopeError: Not a secp256k1 private key.

      Details: expected 0x + 64 hex digits, 1 ≤ key < n
      Spec: spec/v1/envelope.md#keys]
    `);
  });
});
