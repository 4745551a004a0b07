/**
 * The runner signs node-level messages with its own implementation of spec/v1/envelope.md (viem +
 * canonicalize). It must produce exactly the bytes the envelope `sign` vectors pin, or the node
 * level would test the runner instead of the node.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { buildMessage } from '../src/node/messageTemplate.js';
import {
  canonicalJson,
  messageIdOf,
  recoverSigner,
  signUnsignedEnvelope,
  testPrivateKey,
  type UnsignedEnvelope,
} from '../src/node/signEnvelope.js';
import { defaultVectorsRoot } from '../src/version.js';

type SignCase = {
  description: string;
  input: { privateKey: Hex; unsigned: UnsignedEnvelope };
  expected: { wire: string; messageId: string };
};

const signVectors = JSON.parse(
  readFileSync(path.join(defaultVectorsRoot, 'v1/envelope/sign/basic.json'), 'utf8'),
) as { cases: SignCase[] };

describe("the runner's envelope signing", () => {
  it.each(signVectors.cases.map((c) => [c.description, c] as const))(
    'matches the envelope sign vector: %s',
    async (_description, c) => {
      const signed = await signUnsignedEnvelope(c.input.unsigned, c.input.privateKey);
      const wire = canonicalJson(signed);
      expect(wire).toBe(c.expected.wire);
      expect(messageIdOf(new TextEncoder().encode(wire))).toBe(c.expected.messageId);
      expect((await recoverSigner(signed))?.toLowerCase()).toBe(c.input.unsigned.issuer.toLowerCase());
    },
  );

  it('builds templates with fresh times and applies mutations', async () => {
    const template = {
      type: 'ContagionAlert',
      key: 1,
      seq: 3,
      issuedAtOffsetMs: -5_000,
      payload: { severity: 'high', subject: { name: 'USDC' }, expiresAt: 0 },
      payloadTimes: { '/expiresAt': 60_000 },
    };
    const plain = await buildMessage(template, 1_000_000);
    const envelope = plain.envelope as {
      issuedAt: number;
      payload: { expiresAt: number };
      signature: string;
    };
    expect(envelope.issuedAt).toBe(995_000);
    expect(envelope.payload.expiresAt).toBe(1_060_000);
    const flipped = await buildMessage(
      { ...template, mutations: [{ kind: 'flipSignatureByte', index: 0 }] },
      1_000_000,
    );
    const flippedSignature = (flipped.envelope as { signature: string }).signature;
    expect(flippedSignature.slice(4)).toBe(envelope.signature.slice(4));
    expect(flippedSignature.slice(0, 4)).not.toBe(envelope.signature.slice(0, 4));
    const removed = await buildMessage(
      { ...template, mutations: [{ kind: 'removePayloadField', pointer: '/severity' }] },
      1_000_000,
    );
    expect(removed.envelope['payload']).not.toHaveProperty('severity');
    expect(await recoverSigner(removed.envelope as never)).toBe(plain.issuer);
    const other = await buildMessage(
      { ...template, mutations: [{ kind: 'signWithKey', key: 2 }] },
      1_000_000,
    );
    expect(other.issuer).toBe(plain.issuer);
    expect(await recoverSigner(other.envelope as never)).not.toBe(plain.issuer);
    expect(testPrivateKey(1)).toMatch(/^0x[0-9a-f]{64}$/);
  });
});
