/**
 * Founding and co-signing (pools.md#founding, #giving-notice): signing a charter text as this member
 * (the vault terms' signature with it), founding a pool, taking part in every pool whose founding text
 * names this member, and co-signing by policy: the founding texts `policy.coSignCharters` asks for, the
 * other members' notices, and this member's notice given again when another superseded it. The pool
 * service calls `takePart` and the co-signing steps from its queue, and `signCharter` / `foundPool`
 * for the API.
 */
import type { PoolCharter, PoolId } from '@sfr/schemas/types';
import type { LocalAccount } from 'viem';
import { type Envelope, type Hex, lowerHex } from '../envelope/index.js';
import type { Logger } from '../logging/index.js';
import type { PublishOptions } from '../node/index.js';
import { charterTextHash, checkCharter, expectedDomainOf, viewPool } from '../pools/index.js';
import type { CreatePoolServiceParameters, PoolService } from './createPoolService.js';
import { foundingOf, textToCoSign } from './foundingOf.js';
import { noticesOf, noticeToCoSign, noticeToGiveAgain } from './giveNotice.js';
import { PoolServiceError } from './poolServiceError.js';
import { termsVaultStep, withTermsSignature } from './registerCharters.js';
import type { HeldPool } from './submitSettlements.js';

type PoolEntry = HeldPool;

const lower = (s: string) => s.toLowerCase();

/** The pool service's publish path for a charter (a refusal is a PoolServiceError). */
export type PublishCharter = (
  type: 'PoolCharter',
  payload: object,
  options: Omit<PublishOptions, 'domain'> & { domain?: PublishOptions['domain'] | null },
) => Promise<{ messageId: Hex; envelope: Envelope }>;

export interface CharterSigner extends Pick<PoolService, 'signCharter' | 'foundPool'> {
  /** Whether a founding charter text lists this node's member. */
  namesMe(env: Envelope): boolean;
  /** Takes part in a pool whose founding text names this member, and co-signs by policy. */
  takePart(poolId: PoolId): Promise<void>;
  /** Signs the founding text `policy.coSignCharters` asks for, once. */
  coSign(poolId: string): Promise<void>;
  /** Co-signs the notice `noticeToCoSign` picks, unless `policy.coSignNotices` is false. */
  coSignNotice(poolId: string): Promise<void>;
  /** Gives this member's notice again when another text superseded it, once per epoch. */
  giveNoticeAgain(poolId: string): Promise<void>;
}

export function createCharterSigner(p: {
  params: Pick<CreatePoolServiceParameters, 'node' | 'coSignCharters' | 'coSignNotices'>;
  /** This node's member, lower case. */
  me: string;
  now: () => number;
  /** The pools this node takes part in, by lower-case pool id. */
  pools: ReadonlyMap<string, PoolEntry>;
  /** Joins a pool: the service's entry for it, new or held. */
  addPool: (poolId: PoolId) => PoolEntry;
  /** Derives a pool joined just now from the store; the number of messages read. */
  rebuild: (e: PoolEntry) => Promise<number>;
  publish: PublishCharter;
  /** The member's own key, when it can sign for the vault (an EOA member whose node holds its key). */
  vaultSigner: LocalAccount | null;
  /** Whether a contract member's owners sign for a vault on `chain`. */
  ownersSignOn: (chain: string) => boolean;
  /** The service's work in flight (no double work). */
  busy: Set<string>;
  /** The pool service's logger. */
  log?: Logger | undefined;
}): CharterSigner {
  const { params, me, now, pools, addPool, rebuild, publish, vaultSigner, ownersSignOn, busy, log } = p;

  /** Whether a founding charter text lists this node's member. */
  const namesMe = (env: Envelope): boolean => {
    const c = env.payload as unknown as PoolCharter;
    return env.type === 'PoolCharter' && c.epoch === 0 && c.members.some((x) => lower(x.member) === me);
  };

  /**
   * pools.md#founding: a node takes part in every pool whose founding text it holds lists its member,
   * config or not: it joins the topic, derives the pool from its store, and co-signs by its policy.
   */
  async function takePart(poolId: PoolId): Promise<void> {
    const key = lowerHex(poolId);
    if (!pools.has(key)) {
      const e = addPool(key);
      const n = await rebuild(e);
      log?.info({ poolId: key, messages: n }, 'pool joined: a founding charter names this member');
    }
    await coSign(key);
  }

  /** Signs the founding text `policy.coSignCharters` asks for, once (pools.md#founding). */
  async function coSign(poolId: string): Promise<void> {
    const e = pools.get(poolId);
    if (e === undefined || params.coSignCharters === undefined || busy.has(`found:${poolId}`)) return;
    if (viewPool(e.state, now()).charters.length > 0) return;
    const text = textToCoSign(foundingOf(e.state.messages.values(), poolId), me, params.coSignCharters);
    if (text === null) return;
    busy.add(`found:${poolId}`);
    try {
      const r = await charters.signCharter(text.charter);
      log?.info(
        { poolId, payloadHash: text.payloadHash, messageId: r.messageId },
        'founding charter co-signed',
      );
    } finally {
      busy.delete(`found:${poolId}`);
    }
  }

  /** Co-signs the notice `noticeToCoSign` picks, unless `policy.coSignNotices` is false (pools.md#giving-notice). */
  async function coSignNotice(poolId: string): Promise<void> {
    const e = pools.get(poolId);
    if (e === undefined || params.coSignNotices === false || busy.has(`notice:${poolId}`)) return;
    const t = now();
    const view = viewPool(e.state, t);
    const n = noticeToCoSign(noticesOf(e.state.messages.values(), view), view, me, t);
    if (n === null) return;
    busy.add(`notice:${poolId}`);
    try {
      const r = await charters.signCharter(n.charter);
      log?.info({ poolId, epoch: n.epoch, member: n.member, messageId: r.messageId }, 'notice co-signed');
    } finally {
      busy.delete(`notice:${poolId}`);
    }
  }

  /**
   * Gives this member's notice again under the last adopted epoch when another text superseded it
   * (pools.md#giving-notice step 7: two members gave notice at once), once per epoch.
   */
  async function giveNoticeAgain(poolId: string): Promise<void> {
    const e = pools.get(poolId);
    if (e === undefined || busy.has(`renotice:${poolId}`)) return;
    const t = now();
    const text = noticeToGiveAgain(e.state.messages.values(), viewPool(e.state, t), me, t);
    if (text === null) return;
    busy.add(`renotice:${poolId}`);
    try {
      const r = await charters.signCharter(text);
      log?.info({ poolId, epoch: text.epoch, messageId: r.messageId }, 'superseded notice given again');
    } finally {
      busy.delete(`renotice:${poolId}`);
    }
  }

  const charters: CharterSigner = {
    async signCharter(charter, options = {}) {
      addPool(charter.poolId); // joined first, so the accepted event folds the charter into its state
      // settlement.md#registering-on-adoption: the member's signature of the vault terms travels with it.
      const signed = await withTermsSignature(vaultSigner, charter, charterTextHash(charter));
      // A contract member's owners sign the terms first (node.md#multisig-members rule 11).
      const vault = ownersSignOn(charter.settlement.chain)
        ? termsVaultStep(signed, charterTextHash(charter))
        : undefined;
      const r = await publish('PoolCharter', signed, {
        ...options,
        ...(vault === undefined ? {} : { vault }),
        scope: { poolId: charter.poolId, epoch: charter.epoch },
        domain: expectedDomainOf(charter),
      });
      // pools.md#founding: members not on the pool's topic yet learn of the text by catching up from us.
      params.node.nudgePeers?.();
      return r;
    },
    async foundPool(charter, options = {}) {
      if (charter.epoch !== 0)
        throw new PoolServiceError('POOL_INPUT_INVALID', 'a founding charter has epoch 0', {
          details: { field: '/epoch', expected: 0 },
          section: 'pools.md#founding',
        });
      const held = pools.get(lower(charter.poolId));
      if (held !== undefined && viewPool(held.state, now()).charters.length > 0)
        throw new PoolServiceError('POOL_AMENDMENT_SUPERSEDED', 'this pool is founded already: amend it', {
          details: { poolId: charter.poolId },
          section: 'pools.md#founding',
        });
      if (!charter.members.some((m) => lower(m.member) === me))
        throw new PoolServiceError(
          'POOL_SIGNER_NOT_MEMBER',
          `the charter does not list this node's member ${me}`,
          {
            details: { member: me },
            section: 'pools.md#charter-envelopes',
          },
        );
      const bad = checkCharter(charter);
      if (bad !== null)
        throw new PoolServiceError(bad, `the charter breaks a charter rule: ${bad}`, {
          section: 'pools.md#charter-rules',
        });
      return charters.signCharter(charter, options);
    },
    namesMe,
    takePart,
    coSign,
    coSignNotice,
    giveNoticeAgain,
  };
  return charters;
}
