/**
 * `kill -9` while a node attests and settles (issue 13 deliver item 4; killIdempotency.e2e covers
 * ingest and signing). Three `sfr node start` processes found a pool settled on the real vault on
 * anvil with a real ERC-20; each node has a sending account (its member key). Per round, the
 * claimant files a claim and opens it on the vault, then the approver that submits `settle` first
 * (rank 0, settleClaims.ts) is SIGKILLed twice:
 *  - attestation: at a random point of its vote (the ClaimAttestation it signs, stores and gossips,
 *    and the ClaimDecision with its vault signature that follows);
 *  - settlement: in turn just before its `eth_sendRawTransaction` reaches the chain, just after the
 *    chain took it but before the node heard back (both through an RPC proxy in this process that
 *    kills the child on its next send), and at a random time after the decision.
 * After each restart: every acknowledged write is in its store (0 lost), no issuer has two messages at
 * one seq and no EquivocationEvidence exists anywhere (0 conflicting), no member has two votes or two
 * decisions on one claim, exactly one `settle` succeeds per claim (the other approver may take over
 * while the victim is down; the vault refuses a second), and the victim's sender journal agrees with
 * the chain: nothing left pending, every mined entry's hash mined at its nonce, no nonce mined twice.
 * `KILL_SETTLE_ROUNDS` sets the rounds (2 kills each); unset, the file is skipped: `npm run kill:200` runs
 * it with killIdempotency.e2e (100 kills there during ingest and signing, 50 rounds here), and
 * `KILL_SETTLE_ROUNDS=3 npx vitest run --project e2e reference-node/test/e2e/killSettlement.e2e.test.ts`
 * tries each settlement kill point once. Not an `SFR_*` name: the node child processes refuse `SFR_*`
 * names that are not settings.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import type { EvidenceRef, PoolCharter } from '@sfr/schemas/types';
import { decodeFunctionData, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { TIMEOUTS, waitFor } from '../../../scripts/testTimeouts.js';
import { sfrVault, toVaultCharter } from '../../src/settlement/index.js';
import { charterFor, claimFor, POOL_ID, U, USDC } from '../poolsNode/poolHarness.js';
import { EVIDENCE } from '../poolsNode/twoNodePool.js';
import { fundEscrow, startVaultChain, type VaultChain } from '../settlement/fixtures.js';
import { api, createProcNetwork, type Json, type ProcNetwork, waitForTopicMesh } from './processNetwork.js';

/** Unset: the file is skipped (one round takes about 40 s on a busy machine, over the suite's budget for a new file). */
const ROUNDS = Number(process.env['KILL_SETTLE_ROUNDS'] ?? '0') || 0;
const CHAIN = 'eip155:31337';
/** Long enough that the victim usually settles itself after a restart; the take-over still happens under load. */
const CHALLENGE_MS = 3_000;
const SETTLE_POINTS = ['before-send', 'after-send', 'random'] as const;
type SettlePoint = (typeof SETTLE_POINTS)[number];

let chain: VaultChain;
let net: ProcNetwork;
let proxy: Server;
/** The victim V (rank-0 approver), the other approver B and the claimant C, as node indexes. */
let V: number;
let B: number;
let C: number;
/** Kills the victim at its next eth_sendRawTransaction, before or after forwarding it to anvil. */
let armed: { when: 'before' | 'after'; fired?: Promise<void> } | undefined;

/** A JSON-RPC proxy in front of anvil for the victim: it forwards everything, killing the victim when armed. */
function startRpcProxy(target: string): Promise<string> {
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString();
        const sends = body.includes('"eth_sendRawTransaction"');
        const trap = sends ? armed : undefined;
        if (trap !== undefined && trap.fired === undefined && trap.when === 'before') {
          trap.fired = net.kill(V, 'SIGKILL');
          await trap.fired;
          res.destroy();
          return;
        }
        try {
          const r = await fetch(target, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          });
          const text = await r.text();
          if (trap !== undefined && trap.fired === undefined) {
            trap.fired = net.kill(V, 'SIGKILL');
            await trap.fired;
            res.destroy();
            return;
          }
          res.writeHead(r.status, { 'content-type': 'application/json' }).end(text);
        } catch {
          res.destroy();
        }
      })();
    });
  });
  return new Promise((resolve) =>
    proxy.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(proxy.address() as { port: number }).port}`),
    ),
  );
}

/** Every message a node holds (optionally of one type or issuer), page by page. */
async function messagesAt(i: number, query = ''): Promise<Json[]> {
  const out: Json[] = [];
  let cursor: string | null = null;
  do {
    const page = await api(
      net.nodes[i]!,
      'GET',
      `/v1/messages?limit=1000${query}${cursor === null ? '' : `&cursor=${cursor}`}`,
    );
    expect(page.status).toBe(200);
    out.push(...(page.json.items as Json[]));
    cursor = (page.json.nextCursor as string | undefined) ?? null;
  } while (cursor !== null);
  return out;
}

const claimAt = async (i: number, claimId: string): Promise<Json | undefined> => {
  const r = await api(net.nodes[i]!, 'GET', `/v1/claims/${claimId}`);
  return r.status === 200 ? r.json : undefined;
};

/** The victim's sender journal (settlement.md#sending), as the node left it on disk. */
async function journalOfVictim(): Promise<
  { key: string; functionName: string; nonce: number; state: string; hash?: Hex }[]
> {
  const dir = path.join(net.nodes[V]!.dir, 'data', 'vault');
  const file = (await readdir(dir)).find((f) => f.startsWith('sender-'));
  if (file === undefined) return [];
  return JSON.parse(await readFile(path.join(dir, file), 'utf8')).transactions;
}

/** How many times the vault emitted `Settled` for the claim (the vault pays a claim at most once). */
async function settledCount(claimId: string): Promise<number> {
  const logs = await chain.anvil.client.getContractEvents({
    address: chain.vault,
    abi: sfrVault.abi,
    eventName: 'Settled',
    args: { claimId: claimId as Hex },
    fromBlock: 0n,
  });
  return logs.length;
}

/** Every `settle` transaction mined on the chain, by claim id, with its status. */
async function settlesOnChain(): Promise<Map<string, { ok: number; reverted: number }>> {
  const client = chain.anvil.client;
  const head = await client.getBlockNumber();
  const out = new Map<string, { ok: number; reverted: number }>();
  for (let b = 0n; b <= head; b++) {
    const block = await client.getBlock({ blockNumber: b, includeTransactions: true });
    for (const tx of block.transactions) {
      if (tx.to?.toLowerCase() !== chain.vault.toLowerCase()) continue;
      let decoded: { functionName: string; args?: readonly unknown[] };
      try {
        decoded = decodeFunctionData({ abi: sfrVault.abi, data: tx.input });
      } catch {
        continue;
      }
      if (decoded.functionName !== 'settle') continue;
      const claimId = ((decoded.args![0] as { claimId: Hex }).claimId as string).toLowerCase();
      const receipt = await client.getTransactionReceipt({ hash: tx.hash });
      const e = out.get(claimId) ?? { ok: 0, reverted: 0 };
      if (receipt.status === 'success') e.ok++;
      else e.reverted++;
      out.set(claimId, e);
    }
  }
  return out;
}

beforeAll(async () => {
  if (ROUNDS === 0) return;
  chain = await startVaultChain();
  const proxyUrl = await startRpcProxy(chain.anvil.rpcUrl);
  net = await createProcNetwork(3, {
    configure: () => ({
      pools: [{ poolId: POOL_ID }],
      chains: [{ chain: CHAIN, rpcUrl: chain.anvil.rpcUrl, confirmations: 1 }],
    }),
  });
  // The roles follow the members' addresses (the approvers are ranked by address, settleClaims.ts):
  // the victim's config then points at the proxy.
  const byAddress = net.nodes
    .map((n) => n.index)
    .sort((a, b) =>
      net.nodes[a]!.key.address.toLowerCase() < net.nodes[b]!.key.address.toLowerCase() ? -1 : 1,
    );
  [V, B, C] = byAddress as [number, number, number];
  for (const node of net.nodes) {
    if (node.index === V) {
      const config = JSON.parse(await readFile(node.configFile, 'utf8'));
      config.chains[0].rpcUrl = proxyUrl;
      await writeFile(node.configFile, JSON.stringify(config, null, 2));
    }
    await chain.anvil.client.setBalance({ address: node.key.address as Hex, value: 10n ** 21n });
  }
  await Promise.all(net.nodes.map((_, i) => net.start(i)));
  const topic = `/sfr/1/pool/${POOL_ID.slice(2)}`;
  await waitForTopicMesh(net, topic, TIMEOUTS.mesh);
  const charter = JSON.parse(
    JSON.stringify(
      charterFor(
        net.nodes.map((n) => n.key.address),
        Date.now(),
        {
          settlement: { chain: CHAIN, vault: chain.vault },
          windows: { votingMs: 60_000, challengeMs: CHALLENGE_MS, cooldownMs: 0 },
        },
      ),
    ).replaceAll(USDC.address, chain.token),
  ) as PoolCharter;
  for (const n of net.nodes)
    expect((await api(n, 'POST', `/v1/pools/${POOL_ID}/charter`, charter)).status).toBe(201);
  let payloadHash: Hex | undefined;
  await waitFor(
    async () => {
      for (const n of net.nodes) {
        const pool = (await api(n, 'GET', `/v1/pools/${POOL_ID}`)).json as Json;
        if (pool.epochs?.length !== 1) return false;
        payloadHash = pool.founding[0].payloadHash;
      }
      return true;
    },
    TIMEOUTS.event,
    'the pool founded at every node',
    250,
  );
  // The nodes register the adopted charter on the vault themselves (settlement.md#registering-on-adoption).
  await waitFor(
    async () => {
      for (const n of net.nodes) {
        const pool = (await api(n, 'GET', `/v1/pools/${POOL_ID}`)).json as Json;
        if (pool.onChain?.epochs?.length !== 1) return false;
      }
      return true;
    },
    TIMEOUTS.event,
    'the charter registered on the vault, seen by every node',
    250,
  );
  await fundEscrow(chain, toVaultCharter(charter, payloadHash!));
}, TIMEOUTS.hook);

afterAll(async () => {
  await net?.stop();
  proxy?.close();
  await chain?.anvil.stop();
}, TIMEOUTS.hook);

/** One progress line per step (stdout), so a run that stalls says where. */
let t0 = Date.now();
function progress(round: number, what: string): void {
  console.log(`[kill-settlement] +${Math.round((Date.now() - t0) / 1000)} s round ${round}: ${what}`);
}

/** Restarts the victim once it is down (by a trap or a kill here) and waits until it answers ready. */
async function restartVictim(): Promise<void> {
  await net.kill(V, 'SIGKILL');
  const logs = net.nodes[V]!.logs;
  const last = logs[logs.length - 1];
  const t = Date.now();
  await net.start(V);
  if (process.env['KILL_SETTLE_DEBUG'])
    console.log(
      `[kill-settlement] restart ${Date.now() - t} ms:\n${logs
        .slice(last === undefined ? 0 : logs.lastIndexOf(last) + 1)
        .map((l) => l.slice(0, 300))
        .join('\n')}`,
    );
  expect((await api(net.nodes[V]!, 'GET', '/ready')).status).toBe(200);
}

describe.runIf(ROUNDS > 0)('kill -9 during attestation and settlement', () => {
  it(
    `${ROUNDS} rounds, ${2 * ROUNDS} kills: nothing acknowledged lost, no conflicting signature, one settle per claim`,
    async () => {
      t0 = Date.now();
      // On a failure, what the nodes said last and the victim's sender journal: where a round stopped.
      onTestFailed(async () => {
        for (const [name, i] of [
          ['victim', V],
          ['other approver', B],
        ] as const)
          console.log(
            `[kill-settlement] ${name} (node ${i}) log tail:\n${net.nodes[i]!.logs.slice(-25).join('\n')}`,
          );
        console.log(
          `[kill-settlement] victim journal: ${JSON.stringify(await journalOfVictim().catch(() => []))}`,
        );
      });
      const acked: string[] = [];
      const claims: string[] = [];
      const points = new Map<string, number>();
      let voteMs = 500;
      /** Votes the victim signed again from its journal after a kill (issued before the kill). */
      let resigned = 0;
      let lost = 0;
      for (let round = 0; round < ROUNDS; round++) {
        // The claimant files and opens the claim on the vault; both approvers hold it. Each round cites
        // its own log (a piece of evidence is paid once, pools.md#filing rule 11).
        const filed = await api(
          net.nodes[C]!,
          'POST',
          `/v1/pools/${POOL_ID}/claims`,
          JSON.parse(
            JSON.stringify(
              claimFor({ ...EVIDENCE, logIndex: round } as EvidenceRef, `kill-${round}`, U, Date.now()),
            ).replaceAll(USDC.address, chain.token),
          ),
        );
        expect(filed.status, JSON.stringify(filed.json)).toBe(201);
        const claimId = filed.json.messageId as string;
        progress(round, `claim ${claimId} filed`);
        claims.push(claimId);
        acked.push(claimId);
        await waitFor(
          async () =>
            (await claimAt(C, claimId))?.vaultOpen?.state === 'opened' &&
            (await claimAt(V, claimId))?.status === 'attesting' &&
            (await claimAt(B, claimId))?.status === 'attesting',
          TIMEOUTS.event,
          `claim ${round} opened on the vault and attesting at both approvers`,
          250,
        );
        const approve = {
          poolId: POOL_ID,
          claimId,
          round: 0,
          verdict: 'approve',
          approvedAmount: U.toString(),
          evidenceChecks: [],
        };
        progress(round, 'claim opened and attesting');
        const t = Date.now();
        const other = await api(net.nodes[B]!, 'POST', `/v1/claims/${claimId}/votes`, approve);
        expect(other.status, JSON.stringify(other.json)).toBe(201);
        acked.push(other.json.messageId);
        voteMs = Date.now() - t;

        // Attestation: the victim's vote, killed at a random point within about its duration.
        const voting = api(net.nodes[V]!, 'POST', `/v1/claims/${claimId}/votes`, approve).then(
          (r) => r,
          () => undefined,
        );
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 1.5 * voteMs)));
        await net.kill(V, 'SIGKILL');
        const killedAt = Date.now();
        const answer = await voting;
        progress(round, `victim killed during its vote (answer ${answer?.status ?? 'none'})`);
        if (answer !== undefined && answer.status === 201) acked.push(answer.json.messageId);
        points.set('attestation', (points.get('attestation') ?? 0) + 1);
        // Settlement: armed before the restart, so a send right after it is caught too.
        const point: SettlePoint = SETTLE_POINTS[round % SETTLE_POINTS.length]!;
        if (point !== 'random') armed = { when: point === 'before-send' ? 'before' : 'after' };
        await restartVictim();
        progress(round, `victim restarted, settle trap ${point}`);
        // A vote lost with the process is cast again. Killed after its signing journal recorded the
        // vote's (claim, round) slot, the node re-signs the recorded vote (envelope.md#persist-then-sign):
        // 201, never ENVELOPE_SLOT_CONFLICT, which would strand the claim a vote short of quorum.
        if (answer?.status !== 201) {
          const again = await api(net.nodes[V]!, 'POST', `/v1/claims/${claimId}/votes`, approve);
          // Issued before the kill: the journal's recorded vote, signed again as it was.
          const fromJournal = again.status === 201 && (again.json.envelope?.issuedAt ?? killedAt) < killedAt;
          if (fromJournal) resigned++;
          progress(
            round,
            `vote cast again: ${again.status} ${again.json.code ?? ''}${fromJournal ? ' (the recorded vote re-signed)' : ''}`,
          );
          if (again.status === 201) acked.push(again.json.messageId);
          // Its vote reached the others before the kill: held, or already counted in the decision.
          else
            expect(['CLAIM_DUPLICATE_VOTE', 'CLAIM_VOTE_LATE'], JSON.stringify(again.json)).toContain(
              again.json.code,
            );
        }
        if (point === 'random') {
          await waitFor(
            async () => (await claimAt(V, claimId))?.decision != null,
            TIMEOUTS.event,
            `the decision on claim ${round} at the victim`,
            250,
          );
          await new Promise((r) => setTimeout(r, Math.floor(Math.random() * (CHALLENGE_MS + 1_000))));
          await net.kill(V, 'SIGKILL');
        } else {
          // The trap fires at the victim's send, unless the other approver settled first.
          await waitFor(
            async () => armed?.fired !== undefined || (await settledCount(claimId)) === 1,
            TIMEOUTS.scenario,
            `the victim's settle of claim ${round} or the other approver's`,
            250,
          );
          await armed?.fired;
          if (armed?.fired === undefined)
            points.set(`${point} (not reached)`, (points.get(`${point} (not reached)`) ?? 0) + 1);
          armed = undefined;
        }
        points.set(point, (points.get(point) ?? 0) + 1);
        progress(round, `settlement kill ${point}`);
        await restartVictim();
        progress(round, 'victim restarted after the settlement kill');
        // Settled once; the victim's journal holds nothing pending.
        await waitFor(
          async () =>
            (await settledCount(claimId)) === 1 &&
            (await journalOfVictim()).every((tx) => tx.state !== 'pending'),
          TIMEOUTS.scenario,
          `claim ${round} settled and the victim's journal settled`,
          250,
        );
        // Nothing acknowledged lost at the victim (read page by page: one GET per id would meet the rate limit).
        progress(round, 'settled once, journal settled');
        const held = new Set((await messagesAt(V)).map((m) => m.messageId as string));
        lost += acked.filter((id) => !held.has(id)).length;
        expect(acked.filter((id) => !held.has(id))).toEqual([]);
      }

      // 0 conflicting: one message per (issuer, seq) at every node, no equivocation evidence anywhere.
      let conflicting = 0;
      let evidence = 0;
      const duplicates: string[] = [];
      for (const i of [V, B, C]) {
        const all = await messagesAt(i);
        const bySeq = new Map<string, Set<string>>();
        const perClaim = new Map<string, number>();
        for (const m of all) {
          const k = `${m.envelope.issuer.toLowerCase()}:${m.envelope.seq}`;
          bySeq.set(k, (bySeq.get(k) ?? new Set()).add(m.messageId));
          if (m.envelope.type === 'EquivocationEvidence') evidence++;
          if (m.envelope.type === 'ClaimAttestation' || m.envelope.type === 'ClaimDecision') {
            const c = `${m.envelope.type}:${m.envelope.issuer.toLowerCase()}:${m.envelope.payload.claimId}`;
            perClaim.set(c, (perClaim.get(c) ?? 0) + 1);
          }
        }
        conflicting += [...bySeq.values()].filter((s) => s.size > 1).length;
        for (const [c, n] of perClaim) if (n > 1) duplicates.push(`node ${i}: ${n} × ${c}`);
      }
      // One successful settle per claim; the victim's journal agrees with the chain.
      const settles = await settlesOnChain();
      const client = chain.anvil.client;
      const journal = await journalOfVictim();
      const journalIssues: string[] = [];
      const minedNonces = new Set<number>();
      const keys = new Set<string>();
      for (const tx of journal) {
        if (keys.has(tx.key)) journalIssues.push(`key ${tx.key} twice`);
        keys.add(tx.key);
        if (tx.state === 'pending') journalIssues.push(`${tx.key} still pending`);
        if (tx.state !== 'mined' && tx.state !== 'reverted') continue;
        if (minedNonces.has(tx.nonce)) journalIssues.push(`nonce ${tx.nonce} mined twice`);
        minedNonces.add(tx.nonce);
        const onChain = await client.getTransaction({ hash: tx.hash! });
        if (onChain.nonce !== tx.nonce) journalIssues.push(`${tx.key}: nonce ${tx.nonce} ≠ ${onChain.nonce}`);
        const receipt = await client.getTransactionReceipt({ hash: tx.hash! });
        if ((receipt.status === 'success') !== (tx.state === 'mined'))
          journalIssues.push(`${tx.key}: ${tx.state} but ${receipt.status} on chain`);
      }
      const settledOnce = claims.filter((id) => settles.get(id.toLowerCase())?.ok === 1).length;
      const reverted = [...settles.values()].reduce((s, e) => s + e.reverted, 0);
      console.log(
        `[kill-settlement] ${[...points].reduce((n, [p, k]) => (p.includes('not reached') ? n : n + k), 0)} kills (${[...points].map(([p, n]) => `${p} ${n}`).join(', ')}), ${acked.length} acknowledged, ${lost} lost, ${conflicting} conflicting, ${evidence} equivocation evidence, ${duplicates.length} duplicate votes/decisions, ${resigned} votes re-signed from the journal after a kill, ${settledOnce}/${claims.length} claims settled once, ${reverted} later settles refused by the vault, journal ${journal.length} transactions ${journalIssues.length} issues, in ${Math.round((Date.now() - t0) / 1000)} s`,
      );
      expect({ conflicting, evidence, duplicates, journalIssues, settledOnce }).toEqual({
        conflicting: 0,
        evidence: 0,
        duplicates: [],
        journalIssues: [],
        settledOnce: claims.length,
      });
    },
    // Above the sum of one round's own waits, so a stalled wait fails with its label, not the test's bound.
    3 * TIMEOUTS.scenario * ROUNDS,
  );
});
