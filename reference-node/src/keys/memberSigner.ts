import type { LocalAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import {
  type Address,
  addressOfPrivateKey,
  canonicalize,
  EnvelopeError,
  type Hex,
  type SignEnvelopeReturnType,
  type SigningJournal,
  signEnvelope,
  slotsOf,
  toChecksumAddress,
  type UnsignedEnvelope,
} from '../envelope/index.js';

/** The store's part in signing: it hands out sequence numbers and is the persist-then-sign journal. */
export type SigningStore = SigningJournal & {
  reserveSeq(issuer: string, atLeast?: number): Promise<number>;
};

/** What signs the envelopes of a member (node.md#keys). */
export interface MemberSigner {
  /** The member (the envelopes' `issuer`), EIP-55. */
  readonly member: Address;
  /** The address of the key that signs now: the member's own, or a rotated key. */
  readonly key: Address;
  /**
   * `local`: a key in this process (plaintext file or keystore); `remote`: a Web3Signer; `multisig`:
   * no key, the member's owners co-sign proposals (node.md#multisig-members; `MultisigSigner`).
   */
  readonly kind: 'local' | 'remote' | 'multisig';
  /**
   * Gives `build` the next sequence number, signs what it builds, and records the slot in the
   * store's journal before the signature leaves. When signing fails before the journal recorded
   * the slot, the sequence number is not used up: the next call gets it again. `atLeast`: the
   * lowest seq the node may sign at (node.md#own-head). When the journal already holds a vote for
   * the attestation slot of what `build` returns, with the same payload (a crash came between the
   * record and the send), that recorded vote is signed again as it was (its seq and issuedAt),
   * never a new one (envelope.md#persist-then-sign).
   */
  signNext(
    store: SigningStore,
    build: (seq: number) => UnsignedEnvelope,
    atLeast?: number,
  ): Promise<SignEnvelopeReturnType>;
  /**
   * Signs envelopes with `seq ≥ fromSeq` with `privateKey` (a rotated key, node.md#rotation);
   * `member` stays. Returns an undo for a rotation that was not published. Local signers only.
   */
  rotateTo?(privateKey: Hex, fromSeq: number): () => void;
  /**
   * The key as a viem account that signs transactions and vault typed data (settlement.md#sending):
   * the account the node pays vault transactions from when the member is an EOA. Never used for
   * envelopes (those go through `signNext` and its journal).
   */
  account(): LocalAccount;
}

/** How a signer signs one envelope whose seq is allocated; `journal` MUST see the slots first. */
export type SignOne = (
  unsigned: UnsignedEnvelope,
  journal: SigningJournal,
) => Promise<SignEnvelopeReturnType>;

/**
 * The sequence discipline every signer shares: one signature at a time per member, and a
 * sequence number whose signing failed before its slot was journaled is handed out again.
 */
export function createSignNext(member: Address, signOne: () => SignOne): MemberSigner['signNext'] {
  let tail: Promise<unknown> = Promise.resolve();
  let spare: number | undefined;
  return (store, build, atLeast = 0) => {
    const run = async (): Promise<SignEnvelopeReturnType> => {
      // a spare below what the node must now sign at (node.md#own-head) is not reused
      const seq = spare !== undefined && spare >= atLeast ? spare : await store.reserveSeq(member, atLeast);
      spare = undefined;
      const fresh = build(seq);
      const again = await recordedVote(store, fresh);
      // The recorded vote keeps its own seq: the one just handed out is not used up.
      if (again !== undefined) spare = seq;
      if (again === 'changed')
        throw new EnvelopeError('ENVELOPE_SLOT_CONFLICT', CHANGED_VOTE, { section: 'persist-then-sign' });
      let journaled = false;
      const journal: SigningJournal = {
        async reserve(slot, digest, unsigned) {
          await store.reserve(slot, digest, unsigned);
          journaled = true;
        },
      };
      try {
        return await signOne()(again ?? fresh, journal);
      } catch (error) {
        if (!journaled) spare = seq;
        throw error;
      }
    };
    const next = tail.then(run, run);
    tail = next.catch(() => undefined);
    return next;
  };
}

const CHANGED_VOTE =
  'Refusing to sign: this slot was already signed with a different digest (another vote on the claim and round).';

/**
 * The vote the journal recorded for `unsigned`'s attestation slot, when it carries the same payload:
 * signed again as recorded, it has the recorded digest, which the slot accepts. Another payload (a
 * changed vote) is `'changed'`: refused (`ENVELOPE_SLOT_CONFLICT`) before any slot is recorded, so the
 * refusal uses no sequence number (the seq slot is recorded first, envelope.md#persist-then-sign).
 */
async function recordedVote(
  store: SigningStore,
  unsigned: UnsignedEnvelope,
): Promise<UnsignedEnvelope | 'changed' | undefined> {
  if (store.recorded === undefined) return undefined;
  const slot = slotsOf(unsigned).find((s) => s.kind === 'attestation');
  if (slot === undefined) return undefined;
  const recorded = await store.recorded(slot);
  if (recorded === undefined) return undefined;
  const same =
    recorded.issuer.toLowerCase() === unsigned.issuer.toLowerCase() &&
    canonicalize(recorded.payload) === canonicalize(unsigned.payload);
  return same ? recorded : 'changed';
}

/** A signer holding the key in this process (plaintext key file or decrypted keystore). */
export function createLocalSigner(p: { member: Address; privateKey: Hex }): MemberSigner {
  const member = toChecksumAddress(p.member);
  // Keys by first seq, newest last: a rotation takes effect at its effectiveFromSeq exactly.
  const keys: { fromSeq: number; privateKey: Hex; address: Address }[] = [
    { fromSeq: 0, privateKey: p.privateKey, address: addressOfPrivateKey(p.privateKey) },
  ];
  const keyAt = (seq: number) => [...keys].reverse().find((k) => seq >= k.fromSeq) ?? keys[0]!;
  return {
    member,
    get key() {
      return keys[keys.length - 1]!.address;
    },
    kind: 'local',
    signNext: createSignNext(member, () => (unsigned, journal) => {
      const { privateKey, address } = keyAt(unsigned.seq);
      const rotatedKey = address.toLowerCase() !== member.toLowerCase();
      return signEnvelope({ privateKey, unsigned, guard: journal, ...(rotatedKey ? { rotatedKey } : {}) });
    }),
    account() {
      return privateKeyToAccount(keys[keys.length - 1]!.privateKey);
    },
    rotateTo(privateKey, fromSeq) {
      const entry = { fromSeq, privateKey, address: addressOfPrivateKey(privateKey) };
      keys.push(entry);
      return () => {
        const i = keys.indexOf(entry);
        if (i > 0) keys.splice(i, 1);
      };
    },
  };
}
