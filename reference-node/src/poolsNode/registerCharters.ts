/**
 * Registering on adoption (settlement.md#registering-on-adoption): each member's node signs the
 * vault's charter terms when it signs a charter text and carries the signature in the `sfr.settlement`
 * extension of its `PoolCharter` (not part of the text, pools.md#terminology); once an epoch is
 * adopted, the signers whose signatures are held take turns to submit `registerCharter`
 * (settlement.md#taking-turns, turns.ts). The pool service drives the registrar from its tick, as it does settlements.
 */
import type { PoolCharter } from '@sfr/schemas/types';
import { getAddress, type Hex, type LocalAccount } from 'viem';
import type { VaultStep } from '../keys/index.js';
import type { Logger } from '../logging/index.js';
import { eip155ChainId } from '../pools/amounts.js';
import { charterText, SETTLEMENT_EXTENSION } from '../pools/charterText.js';
import type { AdoptedCharter, PoolMessage, PoolView } from '../pools/index.js';
import {
  signForVault,
  toVaultCharter,
  type VaultCharter,
  type VaultDomain,
  type VaultSignature,
  vaultTypedData,
} from '../settlement/index.js';
import type { ContractSignatures } from '../validation/contractSignatures.js';
import type { PoolSettlement, PoolVault } from './createPoolSettlement.js';
import { beforeTurn, epochOnChain, rankOf, rankSigners, type Turns, turnAt, turnsOf } from './turns.js';
import {
  countedSignature,
  isContractSigner,
  type VaultSignatureContext,
  vaultStepOf,
} from './vaultSignatures.js';

/** What this node knows of one adopted epoch's registration on the vault (shown in the pool view). */
export type RegisterState = {
  epoch: number;
  state: 'waiting' | 'registered' | 'refused';
  /** The vault's refusal (or why it waits): a VAULT_* code and its arguments. */
  code?: string;
  args?: string[];
  /** This node's `registerCharter` transaction, once mined. */
  hash?: Hex;
  /** This node's rank among the signers whose signatures it holds (0 submits first). */
  rank?: number;
};

const lower = (s: string) => s.toLowerCase();

/** The vault's EIP-712 domain a charter names, or null when it settles on no eip155 chain / vault. */
export function vaultDomainOfCharter(charter: PoolCharter): VaultDomain | null {
  const { chain, vault } = charter.settlement;
  const chainId = eip155ChainId(chain);
  if (chainId === null || /^0x0{40}$/i.test(vault)) return null;
  return { chainId, vault: getAddress(vault) };
}

/** The terms the vault registers for a charter text, or null when it cannot settle on-chain (`VAULT_NOT_SETTLEABLE`). */
export function vaultTermsOf(charter: PoolCharter, payloadHash: Hex): VaultCharter | null {
  try {
    return toVaultCharter(charter, payloadHash);
  } catch (error) {
    if ((error as { code?: string }).code === 'VAULT_NOT_SETTLEABLE') return null;
    throw error;
  }
}

/**
 * The charter payload this member publishes: the text (any other signer's extension dropped) with
 * its own signature of the text's vault terms in `sfr.settlement` (settlement.md#registering-on-adoption
 * step 1), or the bare text when it settles on no vault or `account` is null.
 */
export async function withTermsSignature(
  account: LocalAccount | null,
  charter: PoolCharter,
  payloadHash: Hex,
): Promise<PoolCharter> {
  const text = charterText(charter);
  const domain = vaultDomainOfCharter(text);
  const terms = domain === null || account === null ? null : vaultTermsOf(text, payloadHash);
  if (domain === null || terms === null || account === null) return text;
  const { signature } = await signForVault(account, domain, { charter: terms });
  return { ...text, extensions: { ...text.extensions, [SETTLEMENT_EXTENSION]: { signature } } };
}

/**
 * A contract member's first step for a charter text (node.md#multisig-members rule 11): its owners sign
 * the text's vault terms; undefined when the text settles on no vault.
 */
export function termsVaultStep(charter: PoolCharter, payloadHash: Hex): VaultStep | undefined {
  const text = charterText(charter);
  const domain = vaultDomainOfCharter(text);
  const terms = domain === null ? null : vaultTermsOf(text, payloadHash);
  if (domain === null || terms === null) return undefined;
  return vaultStepOf(`charter:${lower(text.poolId)}:${text.epoch}:${payloadHash}`, domain, {
    charter: terms,
  });
}

/**
 * The signatures of the adopted text's terms its envelopes carry that count
 * (settlement.md#counting-vault-signatures): one per signer (the first that counts), ascending address.
 * `memo` keeps each EOA envelope's verdict (an envelope's text is fixed, so its verdict is too); a
 * contract member's is asked again (its owners can change; `ContractSignatures` caches it briefly).
 */
export async function heldTermsSignatures(
  messages: ReadonlyMap<Hex, PoolMessage>,
  adopted: AdoptedCharter,
  domain: VaultDomain,
  terms: VaultCharter,
  memo: Map<Hex, VaultSignature | null>,
  ctx: VaultSignatureContext = { chain: adopted.charter.settlement.chain },
): Promise<VaultSignature[]> {
  const typed = vaultTypedData(domain, { charter: terms });
  const out: VaultSignature[] = [];
  for (const id of adopted.ids) {
    const m = messages.get(id);
    if (m === undefined) continue;
    let s = memo.get(id);
    if (s === undefined) {
      s = await countedSignature(m.envelope.issuer, settlementSignatureOf(m.envelope.payload), typed, ctx);
      if (!isContractSigner(m.envelope.issuer, ctx)) memo.set(id, s);
    }
    if (s !== null) out.push(s);
  }
  return rankSigners(out);
}

/** The signature a pool message's `sfr.settlement` extension carries (unchecked), if any. */
export const settlementSignatureOf = (payload: unknown): unknown =>
  (payload as { extensions?: Record<string, { signature?: unknown } | undefined> } | undefined)?.extensions?.[
    SETTLEMENT_EXTENSION
  ]?.signature;

/**
 * An adopted epoch's registration turns (settlement.md#taking-turns): rank 0 as soon as the epoch is
 * adopted, rank r ≥ 1 at `adoptedAt + challengeMs × r` (the adopted text's `challengeMs`).
 */
export const registerTurns = (adopted: AdoptedCharter): Turns =>
  turnsOf('register', adopted.adoptedAt, adopted.charter.windows.challengeMs);

/** Refusals that mean another node registered the epoch first: nothing to do, not an error. */
export const REGISTER_DONE = new Set(['VAULT_POOL_EXISTS', 'VAULT_CHARTER_BAD_EPOCH']);

/** Refusals that mean "not yet" (retried each tick): signatures still arriving, the chain not answering. */
export const REGISTER_WAITS = new Set([
  'VAULT_CHARTER_NOT_SIGNED',
  'VAULT_CHARTER_NO_QUORUM',
  'VAULT_RPC_UNAVAILABLE',
  'VAULT_TX_PENDING',
]);

export interface CharterRegistrar {
  /**
   * One tick for one pool: the first adopted epoch the vault lacks (epochs in order: e once e − 1 is
   * seen registered) is submitted when this node's turn has come, simulated first.
   */
  tick(poolId: string, view: PoolView, messageOf: (id: Hex) => PoolMessage | undefined): Promise<void>;
  /** This node's registration state of each epoch it looked at, ascending (the pool view's `onChain.registrations`). */
  statesOf(poolId: string): RegisterState[];
}

export type CreateCharterRegistrarParameters = {
  /** This node's member (lower case). */
  me: string;
  settlement: PoolSettlement;
  /** The node's contract (ERC-1271) members: their terms signatures count through their contracts. */
  contracts?: ContractSignatures | undefined;
  now: () => number;
  logger?: Logger;
};

/** The node side of settlement.md#registering-on-adoption, driven by the pool service's tick. */
export function createCharterRegistrar(p: CreateCharterRegistrarParameters): CharterRegistrar {
  const log = p.logger?.child({ component: 'settlement' });
  /** poolId → epoch → state. */
  const states = new Map<string, Map<number, RegisterState>>();
  const memo = new Map<Hex, VaultSignature | null>();
  const busy = new Set<string>();

  const set = (poolId: string, s: RegisterState): void => {
    const m = states.get(poolId) ?? new Map<number, RegisterState>();
    m.set(s.epoch, s);
    states.set(poolId, m);
  };

  async function register(
    poolId: string,
    adopted: AdoptedCharter,
    vault: PoolVault,
    messageOf: (id: Hex) => PoolMessage | undefined,
  ): Promise<void> {
    const domain = vaultDomainOfCharter(adopted.charter);
    // An epoch naming another vault than the one followed is not this vault's to register.
    if (domain === null || lower(domain.vault) !== lower(vault.vault)) return;
    const terms = vaultTermsOf(adopted.charter, adopted.payloadHash);
    if (terms === null) return;
    const held = new Map<Hex, PoolMessage>();
    for (const id of adopted.ids) {
      const m = messageOf(id);
      if (m !== undefined) held.set(id, m);
    }
    const sigs = await heldTermsSignatures(held, adopted, domain, terms, memo, {
      contracts: p.contracts,
      chain: adopted.charter.settlement.chain,
    });
    const rank = rankOf(sigs, p.me);
    const had = states.get(poolId)?.get(adopted.epoch);
    if (rank < 0) return;
    if (p.now() < turnAt(registerTurns(adopted), rank)) {
      if (had === undefined) set(poolId, { epoch: adopted.epoch, state: 'waiting', rank });
      return;
    }
    const key = `registerCharter:${poolId}:${adopted.epoch}`;
    if (busy.has(key)) return;
    busy.add(key);
    try {
      // settlement.md#taking-turns rule 3: registered already, or another signer's registration under way
      const others = sigs.filter((_, i) => i !== rank).map((s) => s.signer);
      const before = await beforeTurn(
        vault.client,
        () => epochOnChain(vault.client, vault.vault, poolId, adopted.epoch),
        others,
      );
      if (before !== 'clear') {
        set(poolId, { epoch: adopted.epoch, state: before === 'seen' ? 'registered' : 'waiting', rank });
        return;
      }
      const receipt = await vault.sender.send({
        key,
        to: vault.vault,
        functionName: 'registerCharter',
        args: [terms, sigs],
      });
      set(poolId, { epoch: adopted.epoch, state: 'registered', hash: receipt.transactionHash, rank });
      log?.info(
        { poolId, epoch: adopted.epoch, hash: receipt.transactionHash, rank },
        'charter registered on the vault',
      );
    } catch (error) {
      const err = error as { code?: string; args?: readonly unknown[] };
      const code = err.code ?? 'VAULT_RPC_UNAVAILABLE';
      const args = (err.args ?? []).map((a) => String(a));
      const next: RegisterState = REGISTER_DONE.has(code)
        ? { epoch: adopted.epoch, state: 'registered', rank } // another node was first: not an error
        : { epoch: adopted.epoch, state: REGISTER_WAITS.has(code) ? 'waiting' : 'refused', code, args, rank };
      set(poolId, next);
      if (next.state === 'refused' && had?.code !== code)
        log?.warn({ poolId, epoch: adopted.epoch, code, args }, 'the vault refused the charter registration');
    } finally {
      busy.delete(key);
    }
  }

  return {
    async tick(poolId, view, messageOf) {
      const key = lower(poolId);
      const vault = view.charters.length === 0 ? null : p.settlement.vaultOf(poolId, view);
      if (vault === null) return;
      const onChain = p.settlement.onChainOf(poolId, view) as {
        epochs?: { epoch: number }[];
        syncedToBlock?: string | null;
        error?: unknown;
      } | null;
      // Step 2: only while the node follows the vault (read to a confirmed block, no error); a node that
      // cannot read it cannot know what it holds (e.g. the charter names an address that is no vault).
      if (onChain === null || onChain.syncedToBlock == null || onChain.error != null) return;
      const registered = new Set((onChain?.epochs ?? []).map((x) => x.epoch));
      for (const adopted of view.charters) {
        if (registered.has(adopted.epoch)) {
          const had = states.get(key)?.get(adopted.epoch);
          if (had !== undefined && had.state !== 'registered') set(key, { ...had, state: 'registered' });
          continue;
        }
        if (adopted.epoch > 0 && !registered.has(adopted.epoch - 1)) return;
        if (states.get(key)?.get(adopted.epoch)?.state === 'registered') continue; // mined, not followed yet
        await register(key, adopted, vault, messageOf);
        return;
      }
    },
    statesOf: (poolId) => [...(states.get(lower(poolId))?.values() ?? [])].sort((a, b) => a.epoch - b.epoch),
  };
}
