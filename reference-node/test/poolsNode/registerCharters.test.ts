/**
 * settlement.md#registering-on-adoption on the pure side: each member's charter signature carries
 * its signature of the vault terms in `sfr.settlement`, the copies still carry one charter text
 * (pools.md#terminology), and the registrar counts only signatures that recover to their envelope's
 * issuer over the adopted text's terms.
 */
import { type Hex, hashTypedData, recoverTypedDataAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { hashPayload } from '../../src/envelope/index.js';
import { charterText, createPoolState, type PoolMessage, viewPool } from '../../src/pools/index.js';
import {
  heldTermsSignatures,
  registerTurns,
  vaultDomainOfCharter,
  vaultTermsOf,
  withTermsSignature,
} from '../../src/poolsNode/registerCharters.js';
import { turnAt } from '../../src/poolsNode/turns.js';
import { countedSignature } from '../../src/poolsNode/vaultSignatures.js';
import { vaultTypedData } from '../../src/settlement/index.js';
import { createContractSignatures, type Erc1271Verifier } from '../../src/validation/contractSignatures.js';
import { CHAIN, charterPayload, HOUR, members, PoolSigner, T0, VAULT, wires } from '../pools/fixtures.js';

const ms = members([
  { weight: 10, commit: 1000n },
  { weight: 10, commit: 1000n },
  { weight: 10, commit: 1000n },
]);
const accounts = ms.map((m) => privateKeyToAccount(m.key.privateKey));
const text = charterPayload(ms);
const textHash = hashPayload(text) as Hex;

async function signedCopies() {
  const s = new PoolSigner();
  const copies = [];
  for (const [i, m] of ms.entries())
    copies.push(
      await s.sign(
        m.key,
        'PoolCharter',
        await withTermsSignature(accounts[i]!, text, textHash),
        T0 - HOUR + i,
        0,
      ),
    );
  return { s, copies };
}

describe('registering on adoption (settlement.md#registering-on-adoption)', () => {
  it("each member's copy carries its own terms signature, and the copies carry one text", async () => {
    const { copies } = await signedCopies();
    const payloads = copies.map((c) => c.envelope.payload as unknown as typeof text);
    expect(new Set(payloads.map((p) => hashPayload(p))).size).toBe(3);
    const domain = vaultDomainOfCharter(text)!;
    expect(domain).toEqual({ chainId: 8453, vault: VAULT });
    const typed = vaultTypedData(domain, { charter: vaultTermsOf(text, textHash)! });
    for (const [i, p] of payloads.entries()) {
      const signature = (p.extensions!['sfr.settlement'] as { signature: Hex }).signature;
      expect(await recoverTypedDataAddress({ ...typed, signature } as never)).toBe(accounts[i]!.address);
      expect(charterText(p)).toEqual(text);
    }
    // Adopted once every member signed: the text without the extension, its hash the bare text's.
    const view = viewPool(createPoolState(wires(copies)), T0);
    expect(view.charters).toHaveLength(1);
    expect(view.charters[0]!.payloadHash).toBe(textHash);
    expect(view.charters[0]!.charter).toEqual(text);
    expect(view.charters[0]!.ids).toHaveLength(3);
  });

  it('keeps other namespaces in the text and replaces a signature carried from another signer', async () => {
    const withOther = { ...text, extensions: { 'org.example.note': { v: 1 } } };
    const otherHash = hashPayload(withOther) as Hex;
    const mine = await withTermsSignature(accounts[0]!, withOther, otherHash);
    expect(Object.keys(mine.extensions!).sort()).toEqual(['org.example.note', 'sfr.settlement']);
    expect(charterText(mine)).toEqual(withOther);
    const relayed = await withTermsSignature(accounts[1]!, mine, otherHash);
    expect(relayed.extensions!['sfr.settlement']).not.toEqual(mine.extensions!['sfr.settlement']);
    // No vault to register on, or no key: the bare text.
    const noVault = { ...text, settlement: { ...text.settlement, vault: `0x${'0'.repeat(40)}` as const } };
    expect(await withTermsSignature(accounts[0]!, noVault, textHash)).toEqual(noVault);
    expect(await withTermsSignature(null, mine, otherHash)).toEqual(withOther);
  });

  it('counts one valid signature per signer, ascending; a copied or foreign signature is ignored', async () => {
    const { s, copies } = await signedCopies();
    // Member 2 publishes member 0's signature as its own: not a signature by its issuer.
    const copied = await s.sign(ms[2]!.key, 'PoolCharter', copies[0]!.envelope.payload, T0 - HOUR + 9, 0);
    const state = createPoolState(wires([copies[0]!, copies[1]!, copied]));
    const adopted = viewPool(state, T0).charters[0]!;
    const domain = vaultDomainOfCharter(adopted.charter)!;
    const terms = vaultTermsOf(adopted.charter, adopted.payloadHash)!;
    const memo = new Map();
    const sigs = await heldTermsSignatures(
      state.charterMessages as ReadonlyMap<Hex, PoolMessage>,
      adopted,
      domain,
      terms,
      memo,
    );
    const want = [accounts[0]!.address, accounts[1]!.address].sort((a, b) =>
      a.toLowerCase() < b.toLowerCase() ? -1 : 1,
    );
    expect(sigs.map((x) => x.signer)).toEqual(want);
    expect(memo.size).toBe(3);
    const typed = vaultTypedData(domain, { charter: terms });
    for (const x of sigs)
      expect(await recoverTypedDataAddress({ ...typed, signature: x.signature } as never)).toBe(x.signer);
  });

  it('rank 0 submits at adoption, rank r a challenge window × r later', async () => {
    const { copies } = await signedCopies();
    const adopted = viewPool(createPoolState(wires(copies)), T0).charters[0]!;
    expect(turnAt(registerTurns(adopted), 0)).toBe(adopted.adoptedAt);
    expect(turnAt(registerTurns(adopted), 2)).toBe(adopted.adoptedAt + 2 * text.windows.challengeMs);
  });

  it("counts a contract member's signature its contract accepts at the latest block (settlement.md#counting-vault-signatures)", async () => {
    // Member 2 stands for a Safe: its copy carries a 130-byte blob (two owners' parts), which no
    // ecrecover takes; its contract (here a verifier answering for the one blob) is asked instead.
    const adoptedText = viewPool(createPoolState(wires((await signedCopies()).copies)), T0).charters[0]!;
    const domain = vaultDomainOfCharter(adoptedText.charter)!;
    const terms = vaultTermsOf(adoptedText.charter, adoptedText.payloadHash)!;
    const typed = vaultTypedData(domain, { charter: terms });
    const digest = hashTypedData(typed);
    const safe = ms[2]!.key.address;
    const blob = `0x${'ab'.repeat(130)}` as Hex;
    let answer: boolean | Error = true;
    const asked: { account: string; digest: Hex; atMs?: number }[] = [];
    const verifier: Erc1271Verifier = async (account, d, signature, atMs) => {
      asked.push({ account, digest: d, ...(atMs === undefined ? {} : { atMs }) });
      if (answer instanceof Error) throw answer;
      return answer && d === digest && signature === blob;
    };
    let clock = T0; // the answers' cache (60 s) is the only memory of a contract's verdict
    const contracts = createContractSignatures(new Map([[safe, verifier]]), {
      now: () => clock,
      chains: new Map([[safe, CHAIN]]),
    });
    const ctx = { contracts, chain: CHAIN };
    expect(await countedSignature(safe, blob, typed, ctx)).toEqual({ signer: safe, signature: blob });
    expect(asked[0]).toEqual({ account: safe, digest }); // at the latest block
    // Not on the vault's chain, not hex, or refused by its contract: not counted.
    expect(await countedSignature(safe, blob, typed, { contracts, chain: 'eip155:1' })).toBeNull();
    clock += 60_001;
    expect(await countedSignature(safe, '0xabc', typed, ctx)).toBeNull();
    expect(await countedSignature(safe, `0x${'cd'.repeat(130)}`, typed, ctx)).toBeNull();
    // An EOA's signature never goes to a contract; a contract member's 65-byte EOA-style signature
    // is the contract's to judge, not ecrecover's.
    const eoaSig = await accounts[0]!.signTypedData(typed as never);
    expect(await countedSignature(accounts[0]!.address, eoaSig, typed, ctx)).toEqual({
      signer: accounts[0]!.address,
      signature: eoaSig,
    });
    const safeAsEoa = await accounts[2]!.signTypedData(typed as never);
    expect(await countedSignature(safe, safeAsEoa, typed, ctx)).toBeNull();

    // Carried on the charter: ranked with the EOA signers, ascending; an unanswering chain counts it
    // out now and is asked again at the next look (no verdict kept), an owner change likewise.
    const s = new PoolSigner();
    const copies = [
      await s.sign(
        ms[0]!.key,
        'PoolCharter',
        await withTermsSignature(accounts[0]!, text, textHash),
        T0 - HOUR,
        0,
      ),
      await s.sign(
        ms[1]!.key,
        'PoolCharter',
        await withTermsSignature(accounts[1]!, text, textHash),
        T0 - HOUR + 1,
        0,
      ),
      await s.sign(
        ms[2]!.key,
        'PoolCharter',
        { ...text, extensions: { 'sfr.settlement': { signature: blob } } },
        T0 - HOUR + 2,
        0,
      ),
    ];
    const state = createPoolState(wires(copies));
    const adopted = viewPool(state, T0).charters[0]!;
    const held = state.charterMessages as ReadonlyMap<Hex, PoolMessage>;
    const memo = new Map();
    const all = [accounts[0]!.address, accounts[1]!.address, safe].sort((a, b) =>
      a.toLowerCase() < b.toLowerCase() ? -1 : 1,
    );
    const look = () => {
      clock += 60_001;
      return heldTermsSignatures(held, adopted, domain, terms, memo, ctx);
    };
    expect((await look()).map((x) => x.signer)).toEqual(all);
    expect((await look()).find((x) => x.signer === safe)?.signature).toBe(blob);
    answer = new Error('connection refused');
    expect((await look()).map((x) => x.signer)).toEqual(all.filter((a) => a !== safe));
    answer = false; // the owners revoked it
    expect((await look()).map((x) => x.signer)).toEqual(all.filter((a) => a !== safe));
    answer = true;
    expect((await look()).map((x) => x.signer)).toEqual(all);
    // Without the node's contract members the blob is an EOA signature that does not recover: ignored.
    expect((await heldTermsSignatures(held, adopted, domain, terms, new Map())).map((x) => x.signer)).toEqual(
      all.filter((a) => a !== safe),
    );
  });
});
