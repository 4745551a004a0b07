import type { ClaimDecision, PoolCharter } from '@sfr/schemas/types';
import {
  type Address,
  getAddress,
  type Hex,
  hashDomain,
  hashStruct,
  hashTypedData,
  keccak256,
  toHex,
} from 'viem';
import { splitProRata } from '../pools/index.js';
import { buildSettlement } from './buildSettlement.js';
import { settlementFromJson, settlementToJson } from './settlementJson.js';
import { rankOf, rankSigners, TURN_EFFECTS, type TurnEffect, turnAt, turnsOf } from './turnOrder.js';
import { CHARTER_ENCODE_TYPE, SETTLEMENT_ENCODE_TYPE } from './typedDataTypes.js';
import type { VaultDomain } from './types.js';
import { VaultError } from './vaultError.js';
import { vaultTypedData } from './vaultTypedData.js';

/** The harness ops of the settlement level (conformance.md#ops, settlement.md#vectors). */
export const SETTLEMENT_OPS = [
  'settlementDigest',
  'settlementOf',
  'settlementSplit',
  'settlementTurns',
] as const;

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function bad(field: string, expected: string): never {
  throw new VaultError('VAULT_INPUT_INVALID', `"${field}" must be ${expected}.`, {
    args: [field],
    section: 'vectors',
  });
}

const isAddress = (v: unknown): v is string => typeof v === 'string' && /^0x[0-9a-fA-F]{40}$/.test(v);

function domainOf(v: unknown): VaultDomain {
  if (!isObject(v)) bad('domain', 'an object {chainId, verifyingContract}');
  if (!Number.isSafeInteger(v['chainId']) || (v['chainId'] as number) < 1)
    bad('domain.chainId', 'a positive integer');
  if (!isAddress(v['verifyingContract'])) bad('domain.verifyingContract', 'an address');
  return { chainId: v['chainId'] as number, vault: getAddress(v['verifyingContract'] as string) };
}

function parse<K extends 'settlement' | 'charter'>(kind: K, v: unknown) {
  try {
    return settlementFromJson(kind, v);
  } catch (error) {
    return bad(kind, `a ${kind} struct (${(error as Error).message})`);
  }
}

/**
 * Runs one settlement-level harness op:
 * - `settlementDigest {domain, settlement | charter}` → `{typeHash, structHash, domainSeparator, digest}`;
 * - `settlementOf {decision, claim: {issuer, issuedAt}, snapshot: {epoch, payloadHash, charter}}` →
 *   `{settleable: true, settlement}` or `{settleable: false, code}`;
 * - `settlementSplit {amount, parts: [{member, remaining}]}` → `{contributions: [{member, amount}]}`;
 * - `settlementTurns {effect, held, me, start, challengeMs}` → `{candidates, rank, actAt}` (rank and
 *   actAt null when `me` is no candidate).
 * Malformed input throws `VAULT_INPUT_INVALID`.
 */
export function runSettlementOp(
  op: (typeof SETTLEMENT_OPS)[number],
  req: Record<string, unknown>,
): Record<string, unknown> {
  switch (op) {
    case 'settlementDigest': {
      const domain = domainOf(req['domain']);
      const message =
        req['settlement'] !== undefined
          ? { settlement: parse('settlement', req['settlement']) }
          : req['charter'] !== undefined
            ? { charter: parse('charter', req['charter']) }
            : bad('settlement', 'present (or "charter")');
      const typed = vaultTypedData(domain, message) as unknown as {
        domain: Record<string, unknown>;
        types: Record<string, readonly { name: string; type: string }[]>;
        primaryType: string;
        message: Record<string, unknown>;
      };
      return {
        typeHash: keccak256(toHex('settlement' in message ? SETTLEMENT_ENCODE_TYPE : CHARTER_ENCODE_TYPE)),
        structHash: hashStruct({
          data: typed.message,
          primaryType: typed.primaryType,
          types: typed.types,
        } as never),
        domainSeparator: hashDomain({
          domain: typed.domain,
          types: { EIP712Domain: EIP712_DOMAIN_FIELDS, ...typed.types },
        } as never),
        digest: hashTypedData(vaultTypedData(domain, message)),
      };
    }
    case 'settlementOf': {
      const decision = isObject(req['decision'])
        ? (req['decision'] as unknown as ClaimDecision)
        : bad('decision', 'an object');
      const claim = isObject(req['claim']) ? req['claim'] : bad('claim', 'an object {issuer, issuedAt}');
      const snapshot = isObject(req['snapshot'])
        ? req['snapshot']
        : bad('snapshot', 'an object {epoch, payloadHash, charter}');
      if (!isObject(snapshot['charter'])) bad('snapshot.charter', 'a PoolCharter payload');
      try {
        const settlement = buildSettlement({
          decision,
          claim: { issuer: claim['issuer'] as Address, issuedAt: claim['issuedAt'] as number },
          snapshot: {
            epoch: snapshot['epoch'] as number,
            payloadHash: snapshot['payloadHash'] as Hex,
            charter: snapshot['charter'] as unknown as PoolCharter,
          },
        });
        return { settleable: true, settlement: settlementToJson({ settlement }) };
      } catch (error) {
        if (error instanceof VaultError && error.code === 'VAULT_NOT_SETTLEABLE')
          return { settleable: false, code: error.code };
        throw error;
      }
    }
    case 'settlementSplit': {
      const amount =
        typeof req['amount'] === 'string' && /^(0|[1-9][0-9]{0,77})$/.test(req['amount'])
          ? BigInt(req['amount'])
          : bad('amount', 'a decimal string');
      const parts = Array.isArray(req['parts'])
        ? req['parts']
        : bad('parts', 'an array of {member, remaining}');
      const parsed = parts.map((p, i) => {
        if (
          !isObject(p) ||
          typeof p['member'] !== 'string' ||
          typeof p['remaining'] !== 'string' ||
          !/^(0|[1-9][0-9]{0,77})$/.test(p['remaining'])
        ) {
          return bad(`parts[${i}]`, '{member: address, remaining: decimal string}');
        }
        return { member: getAddress(p['member']), remaining: BigInt(p['remaining']) };
      });
      let total = 0n;
      for (const p of parsed) total += p.remaining;
      if (amount > total) bad('amount', 'at most the sum of the remaining capital');
      return {
        contributions: splitProRata(amount, parsed).map((c) => ({
          member: c.member,
          amount: c.amount.toString(),
        })),
      };
    }
    case 'settlementTurns': {
      const effect = (TURN_EFFECTS as readonly unknown[]).includes(req['effect'])
        ? (req['effect'] as TurnEffect)
        : bad('effect', `one of ${TURN_EFFECTS.join(', ')}`);
      const held = Array.isArray(req['held']) ? req['held'] : bad('held', 'an array of addresses');
      const ranked = rankSigners(
        held.map((a, i) => ({
          signer: isAddress(a) ? getAddress(a.toLowerCase()) : bad(`held[${i}]`, 'an address'),
        })),
      );
      const me = isAddress(req['me']) ? req['me'] : bad('me', 'an address');
      const time = (field: 'start' | 'challengeMs') =>
        Number.isSafeInteger(req[field]) && (req[field] as number) >= 0
          ? (req[field] as number)
          : bad(field, 'a non-negative integer (ms)');
      const turns = turnsOf(effect, time('start'), time('challengeMs'));
      const rank = rankOf(ranked, me);
      const actAt = rank < 0 ? null : turnAt(turns, rank);
      if (actAt !== null && !Number.isSafeInteger(actAt))
        bad('start', 'small enough that the turn falls within the safe integers');
      return { candidates: ranked.map((s) => s.signer), rank: rank < 0 ? null : rank, actAt };
    }
  }
}

const EIP712_DOMAIN_FIELDS = [
  { name: 'name', type: 'string' },
  { name: 'version', type: 'string' },
  { name: 'chainId', type: 'uint256' },
  { name: 'verifyingContract', type: 'address' },
];
