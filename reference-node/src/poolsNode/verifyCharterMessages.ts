/**
 * `verifyCharterMessages(inputs, contracts)`: the signed charter envelopes a node is given out of band
 * (`pools[].charterFile`), checked as envelope.md#verification checks a received one, rules 22–24 with
 * the node's contract members: an EOA member's signature by ecrecover (`readPoolMessage`, as before), a
 * contract (ERC-1271) member's by its contract's answer at the latest block. `createPoolState` checks
 * every signature by ecrecover alone, so a Safe member's copy in a charter file (its owners' blob, not
 * one ECDSA signature) was dropped `ENVELOPE_BAD_SIGNATURE_ENCODING` and the pool stayed unfounded
 * until gossip brought that copy. Never throws.
 *
 *   const { messages, refused } = await verifyCharterMessages(charterMessages, contracts);
 */
import {
  bytesToHex,
  checkEnvelopeSchema,
  checkSignatureEncoding,
  digestOf,
  messageIdOf,
  precheckEnvelope,
} from '../envelope/index.js';
import { type MessageInput, type PoolMessage, type PoolRefusal, readPoolMessage } from '../pools/index.js';
import type { ContractSignatures, Erc1271Answer } from '../validation/contractSignatures.js';

const utf8 = new TextEncoder();

export type VerifyCharterMessagesReturnType = {
  /** The envelopes whose signature is their issuer's, in the order given. */
  messages: PoolMessage[];
  /** The others, each with the verification's reason code (the pool view lists them as refused). */
  refused: PoolRefusal[];
};

/** Rules 23–24 on a contract's answer (envelope.md#erc-1271-members); null when it accepts. */
function answerRefusal(answer: Erc1271Answer): Pick<PoolRefusal, 'outcome' | 'code'> | null {
  if (answer === 'valid') return null;
  if (answer === undefined) return { outcome: 'ignore', code: 'ENVELOPE_ERC1271_UNVERIFIABLE' };
  if (answer === 'not-valid-now') return { outcome: 'ignore', code: 'ENVELOPE_ERC1271_NOT_VALID_NOW' };
  return { outcome: 'reject', code: 'ENVELOPE_BAD_SIGNATURE' };
}

export async function verifyCharterMessages(
  inputs: readonly MessageInput[],
  contracts: ContractSignatures | undefined,
): Promise<VerifyCharterMessagesReturnType> {
  const out: VerifyCharterMessagesReturnType = { messages: [], refused: [] };
  for (const input of inputs) {
    const value = typeof input === 'string' ? utf8.encode(input) : input;
    const pre = precheckEnvelope(value, { now: 0, skipTimeChecks: true });
    // An EOA issuer (or an envelope that does not even decode): the ecrecover check, as before.
    if (pre.outcome !== 'accept' || contracts?.isContract(pre.envelope.issuer) !== true) {
      const r = readPoolMessage(input);
      if (r.ok) out.messages.push(r.message);
      else out.refused.push(r.refusal);
      continue;
    }
    const { envelope, wire } = pre;
    const messageId = messageIdOf(wire);
    const refuse = (r: Pick<PoolRefusal, 'outcome' | 'code'>) => out.refused.push({ messageId, ...r });
    const encoding = checkSignatureEncoding(envelope, true);
    if (encoding !== null) {
      refuse({ outcome: encoding.outcome, code: encoding.code });
      continue;
    }
    const answer = await contracts
      .check(envelope.issuer, bytesToHex(digestOf(envelope, wire)), envelope.signature, envelope.issuedAt)
      .catch(() => undefined);
    const signed = answerRefusal(answer);
    if (signed !== null) {
      refuse(signed);
      continue;
    }
    const schema = checkEnvelopeSchema(envelope);
    if (schema !== null) {
      refuse({ outcome: schema.outcome, code: schema.code });
      continue;
    }
    out.messages.push({ envelope, messageId });
  }
  return out;
}
