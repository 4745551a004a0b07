/**
 * `verifyCharterMessages(inputs, pipeline)`: the signed charter envelopes a node is given out of band
 * (`pools[].charterFile`), checked by the node's own validation pipeline, every stateless rule of
 * envelope.md#verification (as catch-up sync checks a stored peer's message: no age bound), so a contract
 * (ERC-1271) member's signature is asked of its contract and a rotated member's checked against its key
 * at `seq`, exactly as for a received envelope. Without a pipeline (the library used without a node)
 * each signature is checked by ecrecover alone (`readPoolMessage`). Never throws.
 *
 *   const { messages, refused } = await verifyCharterMessages(charterMessages, node.pipeline);
 */
import { canonicalize, messageIdOf } from '../envelope/index.js';
import {
  type MessageInput,
  type PoolMessage,
  type PoolRefusal,
  readPoolMessage,
  readStoredPoolMessage,
} from '../pools/index.js';
import type { ValidationPipeline } from '../validation/pipeline.js';

const utf8 = new TextEncoder();

export type VerifyCharterMessagesReturnType = {
  /** The envelopes whose signature is their issuer's, in the order given. */
  messages: PoolMessage[];
  /** The others, each with the verification's reason code (the pool view lists them as refused). */
  refused: PoolRefusal[];
};

export async function verifyCharterMessages(
  inputs: readonly MessageInput[],
  pipeline: Pick<ValidationPipeline, 'check'> | undefined,
): Promise<VerifyCharterMessagesReturnType> {
  const out: VerifyCharterMessagesReturnType = { messages: [], refused: [] };
  for (const input of inputs) {
    if (pipeline === undefined) {
      const r = readPoolMessage(input);
      if (r.ok) out.messages.push(r.message);
      else out.refused.push(r.refusal);
      continue;
    }
    const wire =
      typeof input === 'string'
        ? utf8.encode(input)
        : input instanceof Uint8Array
          ? input
          : utf8.encode(canonicalize(input));
    const verdict = await pipeline.check(wire, { source: 'sync', from: 'charterFile' });
    if (verdict.outcome !== 'accept') {
      out.refused.push({ messageId: messageIdOf(wire), outcome: verdict.outcome, code: verdict.code });
      continue;
    }
    // Read as a stored message is: its signature was just checked, contracts and rotations included.
    const r = readStoredPoolMessage(wire);
    if (r.ok) out.messages.push(r.message);
    else out.refused.push(r.refusal);
  }
  return out;
}
