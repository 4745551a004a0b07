/**
 * A multisig member's node (spec/v1/node.md#multisig-members): it holds no key, so every envelope it
 * would publish becomes a proposal — its sequence number reserved and its digest journaled (so the
 * node never proposes two contents for one slot), held durably in `<dataDir>/proposals`, co-signed by
 * the Safe's owners one signature at a time, and handed to the node's publish path once the owners'
 * signatures, checked against the owners the chain reports now, meet the threshold.
 */
import { mkdir, open, readdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { MessageId, Proposal } from '@sfr/schemas';
import {
  type Address,
  bytesToHex,
  EnvelopeError,
  type Hex,
  hexToBytes,
  prepareEnvelope,
  type SignEnvelopeReturnType,
  sealEnvelope,
  signatureEncodingError,
  slotsOf,
  toChecksumAddress,
  type UnsignedEnvelope,
} from '../envelope/index.js';
import { SETTLEMENT_EXTENSION } from '../pools/charterText.js';
import { KeyError } from './keyError.js';
import type { MemberSigner, SigningStore } from './memberSigner.js';
import { buildSafeSignature, checkOwnerSignature, safeMessageHash } from './safeSignature.js';

/** The Safe's owners and threshold, as its chain reports them now. */
export type SafeOwners = { readonly owners: readonly Address[]; readonly threshold: number };

/**
 * The first step of a two-step proposal (node.md#multisig-members rule 11): the member's vault signature
 * its payload carries in `sfr.settlement`, of `digest` (the EIP-712 digest of `typedData`).
 */
export type VaultStep = {
  /** What the signature is for (`settlement:<poolId>:<claimId>:<round>`, `charter:<poolId>:<epoch>:<hash>`). */
  readonly key: string;
  /** The typed data as JSON (integers as decimal strings), shown to the owners. */
  readonly typedData: Record<string, unknown>;
  readonly digest: Hex;
};

/** Hands a co-signed envelope to the node's publish path; resolves with its result (the message id at least). */
export type DeliverSigned = (signed: SignEnvelopeReturnType) => Promise<{ readonly messageId: MessageId }>;

export interface MultisigSigner extends MemberSigner {
  readonly kind: 'multisig';
  /** The contract's chain (CAIP-2). */
  readonly chain: string;
  /**
   * Reserves the next seq, journals the envelope's digest and holds it as a pending proposal. With
   * `vault`, a two-step proposal whose id is the vault digest: proposing it again answers the one held
   * (never a second ask), and another digest for a key already proposed is `ENVELOPE_SLOT_CONFLICT`.
   */
  propose(
    store: SigningStore,
    build: (seq: number) => UnsignedEnvelope,
    atLeast?: number,
    vault?: VaultStep,
  ): Promise<Proposal>;
  /** Settles with what `deliver` returned when the proposal is published; rejects when refused or expired. */
  outcome(id: string): Promise<{ readonly messageId: MessageId }>;
  /** Adds one owner's signature (`KEY_PROPOSAL_*` refusals); publishes once the threshold is met. */
  addSignature(id: string, signature: string): Promise<Proposal>;
  list(): Proposal[];
  get(id: string): Proposal | undefined;
  /**
   * Connects the node's publish path and its signing journal; proposals a restart left at their
   * threshold are published (or, in a first step, issued).
   */
  attach(deliver: DeliverSigned, store?: SigningStore): void;
  close(): void;
}

export type CreateMultisigSignerParameters = {
  /** The Safe (the member, the envelopes' `issuer`). */
  readonly member: string;
  readonly chainId: number;
  /** Reads the owners and threshold from the chain; throws when the chain cannot answer. */
  readonly readOwners: () => Promise<SafeOwners>;
  /** Where the proposals are kept (`<dataDir>/proposals`). */
  readonly dir: string;
  /** The node's `time.maxAgeMs`: a proposal expires `maxAgeMs` after its `issuedAt` (peers stop relaying it). */
  readonly maxAgeMs: number;
  readonly now?: () => number;
};

/** [sfr] Proposals listed and kept: ProposalListResponse's `maxItems`. */
const MAX_PROPOSALS = 1024;

const section = 'node.md#multisig-members';

export async function createMultisigSigner(p: CreateMultisigSignerParameters): Promise<MultisigSigner> {
  const member = toChecksumAddress(p.member);
  const now = p.now ?? Date.now;
  await mkdir(p.dir, { recursive: true, mode: 0o700 });
  const proposals = new Map<string, Proposal>();
  const waiters = new Map<
    string,
    { resolve: (r: { messageId: MessageId }) => void; reject: (e: unknown) => void }[]
  >();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  let deliver: DeliverSigned | undefined;
  let journal: SigningStore | undefined;

  for (const name of (await readdir(p.dir)).filter((n) => /^0x[0-9a-f]{64}\.json$/.test(n))) {
    const proposal = JSON.parse(await readFile(path.join(p.dir, name), 'utf8')) as Proposal;
    proposals.set(proposal.id, proposal);
  }

  /** Write-then-rename with fsync: a crash leaves the old record or the new one, never half of one. */
  const persist = async (proposal: Proposal): Promise<void> => {
    const file = path.join(p.dir, `${proposal.id}.json`);
    const tmp = `${file}.tmp`;
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(proposal, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  };

  const settle = (id: string, outcome: { messageId: MessageId } | Error): void => {
    for (const w of waiters.get(id) ?? []) {
      if (outcome instanceof Error) w.reject(outcome);
      else w.resolve(outcome);
    }
    waiters.delete(id);
    clearTimeout(timers.get(id));
    timers.delete(id);
  };

  const expiredError = (proposal: Proposal) =>
    new KeyError(
      'KEY_PROPOSAL_EXPIRED',
      `proposal ${proposal.id} (seq ${proposal.seq}) expired unpublished`,
      {
        section,
        details: `expiresAt ${new Date(proposal.expiresAt).toISOString()}; its seq stays a gap`,
      },
    );

  const expire = async (proposal: Proposal): Promise<void> => {
    if (proposal.status !== 'pending') return;
    proposal.status = 'expired';
    await persist(proposal);
    settle(proposal.id, expiredError(proposal));
  };

  const scheduleExpiry = (proposal: Proposal): void => {
    const timer = setTimeout(
      () => void expire(proposal).catch(() => undefined),
      Math.max(0, proposal.expiresAt - now()),
    );
    timer.unref();
    timers.set(proposal.id, timer);
  };

  /** Serializes what changes a proposal (two owners signing at once see each other's signature). */
  let tail: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(run: () => Promise<T>): Promise<T> => {
    const next = tail.then(run, run);
    tail = next.catch(() => undefined);
    return next;
  };

  /** Assembles the blob and publishes, when the current owners' signatures meet the threshold. */
  const completeIfReady = async (proposal: Proposal, safe: SafeOwners): Promise<void> => {
    const owners = new Set(safe.owners.map((o) => o.toLowerCase()));
    // Step 3: signatures of addresses that are no longer owners do not count (the contract would refuse them).
    proposal.signatures = proposal.signatures.filter((s) => owners.has(s.owner.toLowerCase()));
    proposal.threshold = safe.threshold;
    if (proposal.signatures.length < safe.threshold || deliver === undefined) return;
    if (proposal.vault !== undefined && proposal.vault.signature === undefined) {
      await issueSecondStep(proposal, safe);
      return;
    }
    const blob = buildSafeSignature({
      chainId: p.chainId,
      safe: member,
      digest: bytesToHex(prepareEnvelope(proposal.envelope as unknown as UnsignedEnvelope).digest),
      owners: safe.owners,
      threshold: safe.threshold,
      signatures: proposal.signatures.map((s) => s.signature as Hex),
    });
    const signed = sealEnvelope(proposal.envelope as unknown as UnsignedEnvelope, blob);
    let result: { readonly messageId: MessageId };
    try {
      result = await deliver(signed);
      proposal.status = 'published';
      proposal.messageId = result.messageId;
    } catch (error) {
      const e = error as { code?: string; details?: { code?: unknown } };
      const code =
        typeof e.details?.code === 'string' ? e.details.code : (e.code ?? 'GOSSIP_PUBLISH_REFUSED');
      // A restart after the publish and before this record: the message is held already.
      if (code === 'ENVELOPE_DUPLICATE') {
        proposal.status = 'published';
        proposal.messageId = signed.messageId;
        result = { messageId: signed.messageId };
      } else {
        proposal.status = 'refused';
        proposal.code = code;
        await persist(proposal);
        settle(proposal.id, error as Error);
        return;
      }
    }
    await persist(proposal);
    settle(proposal.id, result);
  };

  /**
   * node.md#multisig-members rule 11: the first step's signatures met the threshold. The Safe's signature
   * of the vault digest goes into the payload's `sfr.settlement`, the envelope is issued now (its
   * reserved seq, `issuedAt` the current time, its slots journaled with its digest before any owner
   * sees it) and the owners are asked for the envelope's Safe message hash.
   */
  const issueSecondStep = async (proposal: Proposal, safe: SafeOwners): Promise<void> => {
    const vault = proposal.vault!;
    if (journal === undefined) return; // attached without a journal: issued once one is
    const signature = buildSafeSignature({
      chainId: p.chainId,
      safe: member,
      digest: vault.digest as Hex,
      owners: safe.owners,
      threshold: safe.threshold,
      signatures: proposal.signatures.map((s) => s.signature as Hex),
    });
    const draft = proposal.envelope as unknown as UnsignedEnvelope;
    const payload = draft.payload as Record<string, unknown> & { extensions?: Record<string, unknown> };
    const issuedAt = now();
    const issue = async (seq: number) => {
      const prepared = prepareEnvelope({
        ...draft,
        seq,
        issuedAt,
        payload: {
          ...payload,
          extensions: { ...payload.extensions, [SETTLEMENT_EXTENSION]: { signature } },
        } as UnsignedEnvelope['payload'],
      });
      for (const slot of slotsOf(prepared.unsigned))
        await journal!.reserve(slot, bytesToHex(prepared.digest));
      return prepared;
    };
    // The first step's seq, unless the node journaled a later one meanwhile (the journal refuses a
    // lower seq): then a fresh one, and the first stays a gap (envelope.md#seq).
    const { unsigned, digest } = await issue(draft.seq).catch(async (error: unknown) => {
      if ((error as { code?: string }).code !== 'ENVELOPE_SEQ_NOT_MONOTONIC') throw error;
      return issue(await journal!.reserveSeq(member, draft.seq));
    });
    const envelopeDigest = bytesToHex(digest);
    proposal.seq = unsigned.seq;
    proposal.vault = { ...vault, signatures: proposal.signatures, signature };
    proposal.signatures = [];
    proposal.envelope = unsigned as unknown as Proposal['envelope'];
    proposal.issuedAt = unsigned.issuedAt;
    proposal.expiresAt = unsigned.issuedAt + p.maxAgeMs;
    proposal.safeMessageHash = safeMessageHash({ chainId: p.chainId, safe: member, digest: envelopeDigest });
    await persist(proposal);
    clearTimeout(timers.get(proposal.id));
    scheduleExpiry(proposal);
  };

  const readOwners = async (): Promise<SafeOwners> => {
    try {
      return await p.readOwners();
    } catch (cause) {
      throw new KeyError(
        'KEY_SIGNER_UNAVAILABLE',
        `cannot read the owners of Safe ${member} from its chain`,
        {
          section,
          cause,
        },
      );
    }
  };

  /**
   * The two-step proposal already made for `vault` (its digest, whatever its status, also one only on
   * disk), or undefined; a proposal of another digest under the same key refuses it.
   */
  const heldVaultProposal = async (vault: VaultStep): Promise<Proposal | undefined> => {
    const id = vault.digest.toLowerCase();
    const held =
      proposals.get(id) ??
      (await readFile(path.join(p.dir, `${id}.json`), 'utf8').then(
        (text) => JSON.parse(text) as Proposal,
        () => undefined,
      ));
    if (held !== undefined) return held;
    for (const other of proposals.values())
      if (other.vault?.key === vault.key)
        throw new EnvelopeError(
          'ENVELOPE_SLOT_CONFLICT',
          'Refusing to propose: this vault signature was already proposed with a different digest.',
          {
            details: `key ${vault.key}`,
            section: 'persist-then-sign',
            meta: { existing: other.id, digest: id },
          },
        );
    return undefined;
  };

  const signer: MultisigSigner = {
    member,
    key: member,
    kind: 'multisig',
    chain: `eip155:${p.chainId}`,
    signNext: () =>
      Promise.reject(
        new KeyError('KEY_MULTISIG_INSUFFICIENT', `Safe ${member} signs through its owners' proposals`, {
          section,
        }),
      ),

    account() {
      // settlement.md#sending: a contract member pays from identity.sender, never from its owners' keys.
      throw new KeyError('KEY_MULTISIG_INSUFFICIENT', `Safe ${member} has no key to send transactions with`, {
        section,
      });
    },

    propose: (store, build, atLeast = 0, vault) =>
      exclusive(async () => {
        journal = store;
        if (vault !== undefined) {
          const held = await heldVaultProposal(vault);
          if (held !== undefined) return held;
          const seq = await store.reserveSeq(member, atLeast);
          const draft = build(seq);
          const id = vault.digest.toLowerCase() as Hex;
          const hash = safeMessageHash({ chainId: p.chainId, safe: member, digest: id });
          const proposal: Proposal = {
            id,
            chain: `eip155:${p.chainId}`,
            safeMessageHash: hash,
            status: 'pending',
            seq: draft.seq,
            issuedAt: draft.issuedAt,
            expiresAt: draft.issuedAt + p.maxAgeMs,
            threshold: (await readOwners().catch(() => undefined))?.threshold ?? 1,
            signatures: [],
            envelope: draft as unknown as Proposal['envelope'],
            vault: {
              key: vault.key,
              typedData: vault.typedData,
              digest: id,
              safeMessageHash: hash,
              signatures: [],
            },
          };
          await persist(proposal);
          proposals.set(id, proposal);
          scheduleExpiry(proposal);
          return proposal;
        }
        const seq = await store.reserveSeq(member, atLeast);
        const { unsigned, digest } = prepareEnvelope(build(seq));
        const id = bytesToHex(digest);
        // Persist-then-sign (node.md#store rule 5): the slot is bound to this digest before any owner sees it.
        for (const slot of slotsOf(unsigned)) await store.reserve(slot, id);
        const proposal: Proposal = {
          id,
          chain: `eip155:${p.chainId}`,
          safeMessageHash: safeMessageHash({ chainId: p.chainId, safe: member, digest: id }),
          status: 'pending',
          seq: unsigned.seq,
          issuedAt: unsigned.issuedAt,
          expiresAt: unsigned.issuedAt + p.maxAgeMs,
          threshold: (await readOwners().catch(() => undefined))?.threshold ?? 1,
          signatures: [],
          envelope: unsigned as unknown as Proposal['envelope'],
        };
        await persist(proposal);
        proposals.set(id, proposal);
        scheduleExpiry(proposal);
        // Closed proposals beyond the bound are forgotten, oldest first (their records stay on disk).
        for (const [oldId, old] of proposals) {
          if (proposals.size <= MAX_PROPOSALS) break;
          if (old.status !== 'pending') proposals.delete(oldId);
        }
        return proposal;
      }),

    outcome(id) {
      const proposal = proposals.get(id);
      if (proposal?.status === 'published') return Promise.resolve({ messageId: proposal.messageId! });
      return new Promise((resolve, reject) => {
        if (proposal === undefined || proposal.status !== 'pending') {
          reject(new KeyError('KEY_PROPOSAL_CLOSED', `proposal ${id} is not pending`, { section }));
          return;
        }
        waiters.set(id, [...(waiters.get(id) ?? []), { resolve, reject }]);
      });
    },

    addSignature: (id, signature) =>
      exclusive(async () => {
        const proposal = proposals.get(id.toLowerCase());
        if (proposal === undefined)
          throw new KeyError('KEY_PROPOSAL_UNKNOWN', `no proposal ${id} is held here`, { section });
        if (proposal.status === 'pending' && now() > proposal.expiresAt) await expire(proposal);
        if (proposal.status === 'expired') throw expiredError(proposal);
        if (proposal.status !== 'pending') {
          throw new KeyError('KEY_PROPOSAL_CLOSED', `proposal ${id} is ${proposal.status}`, {
            section,
            details:
              proposal.messageId === undefined ? `code ${proposal.code}` : `message ${proposal.messageId}`,
          });
        }
        const bytes = hexToBytes(signature as Hex);
        const encoding = bytes === null ? 'not hex' : signatureEncodingError(bytes);
        if (bytes === null || encoding !== null) {
          throw new KeyError('KEY_PROPOSAL_BAD_SIGNATURE', `the signature is malformed: ${encoding}`, {
            section,
            details: 'expected 65 bytes r ‖ s ‖ v, low-s, v 27 or 28',
          });
        }
        const safe = await readOwners();
        const checked = checkOwnerSignature(proposal.safeMessageHash as Hex, signature as Hex, safe.owners);
        if (!checked.ok) {
          throw new KeyError(
            'KEY_PROPOSAL_NOT_OWNER',
            `the signature of safeMessageHash is not by an owner of Safe ${member}`,
            { section, details: `${checked.detail}; owners ${safe.owners.join(', ')}` },
          );
        }
        if (proposal.signatures.some((s) => s.owner.toLowerCase() === checked.owner.toLowerCase())) {
          throw new KeyError('KEY_PROPOSAL_DUPLICATE_OWNER', `owner ${checked.owner} has already signed`, {
            section,
          });
        }
        proposal.signatures.push({
          owner: checked.owner,
          signature: bytesToHex(hexToBytes(signature as Hex)!),
        });
        await completeIfReady(proposal, safe);
        if (proposal.status === 'pending') await persist(proposal);
        return proposal;
      }),

    list: () => [...proposals.values()].sort((a, b) => a.seq - b.seq),
    get: (id) => proposals.get(id.toLowerCase()),

    attach(d, store) {
      deliver = d;
      journal = store ?? journal;
      for (const proposal of proposals.values()) {
        if (proposal.status !== 'pending') continue;
        if (now() > proposal.expiresAt) {
          void exclusive(() => expire(proposal)).catch(() => undefined);
          continue;
        }
        scheduleExpiry(proposal);
        // A crash between the last signature and the publish: finish it.
        void exclusive(async () => completeIfReady(proposal, await readOwners())).catch(() => undefined);
      }
    },

    close() {
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
  return signer;
}

export const isMultisigSigner = (s: MemberSigner): s is MultisigSigner => s.kind === 'multisig';

/** The Safe's `getOwners()` / `getThreshold()` (@safe-global/safe-smart-account OwnerManager). */
const SAFE_OWNERS_ABI = [
  {
    type: 'function',
    name: 'getOwners',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'address[]' }],
  },
  {
    type: 'function',
    name: 'getThreshold',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'uint256' }],
  },
] as const;

/** The narrow part of a viem `PublicClient` reading a Safe's owners needs. */
export type SafeReader = {
  readContract(args: {
    address: Address;
    abi: typeof SAFE_OWNERS_ABI;
    functionName: 'getOwners' | 'getThreshold';
  }): Promise<unknown>;
};

/** Reads a Safe's owners and threshold through `client` (each call asks the chain; owners change). */
export function createSafeOwnersReader(client: SafeReader, safe: string): () => Promise<SafeOwners> {
  const address = toChecksumAddress(safe) as Address;
  return async () => {
    const [owners, threshold] = await Promise.all([
      client.readContract({ address, abi: SAFE_OWNERS_ABI, functionName: 'getOwners' }),
      client.readContract({ address, abi: SAFE_OWNERS_ABI, functionName: 'getThreshold' }),
    ]);
    return {
      owners: (owners as string[]).map((o) => toChecksumAddress(o) as Address),
      threshold: Number(threshold as bigint),
    };
  };
}
