/**
 * `sfr proposals` and `sfr proposals sign <id> --key <owner key file>` (node.md#multisig-members): an
 * owner of a multisig member reads what its node proposes and co-signs it where the owner's key is.
 * The key never goes to the node: the command recomputes the envelope digest and the Safe message
 * hash from the proposal itself (so a node cannot make it sign something else), signs the hash
 * locally, and posts only the signature.
 */
import path from 'node:path';
import type { Proposal, ProposalListResponse } from '@sfr/schemas';
import { type Hex, hashTypedData } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { bytesToHex, prepareEnvelope, type UnsignedEnvelope } from '../envelope/index.js';
import { loadKeyFile, readPassphrase, safeMessageHash } from '../keys/index.js';
import { SETTLEMENT_EXTENSION } from '../pools/charterText.js';
import { typedDataFromJson } from '../settlement/vaultTypedData.js';
import { CliError } from './cliError.js';
import { callApi, readApiToken } from './poolsApi.js';

const PROPOSAL_ID = /^0x[0-9a-f]{64}$/;

export async function listProposals(o: { api: string }): Promise<Proposal[]> {
  return ((await callApi(o.api, 'GET', '/v1/proposals')) as ProposalListResponse).proposals;
}

export function formatProposals(items: readonly Proposal[]): string {
  if (items.length === 0) return 'no proposals\n';
  return items
    .map((p) => {
      const e = p.envelope as { type?: string };
      const state =
        p.status === 'pending'
          ? `pending ${p.signatures.length}/${p.threshold}, expires ${new Date(p.expiresAt).toISOString()}`
          : p.status === 'published'
            ? `published ${p.messageId}`
            : p.status === 'refused'
              ? `refused ${p.code}`
              : 'expired';
      const by = p.signatures.map((s) => s.owner).join(', ');
      // node.md#multisig-members rule 11: which step a two-step proposal is at, and what it signs.
      const step =
        p.vault === undefined
          ? ''
          : p.vault.signature === undefined
            ? `\n  step 1 of 2: the vault's ${String((p.vault.typedData as { primaryType?: unknown }).primaryType)} ${p.vault.key} (digest ${p.vault.digest})`
            : `\n  step 2 of 2: the envelope carrying the Safe's signature of ${p.vault.key}`;
      return `${p.id}  seq ${p.seq}  ${e.type}  ${state}${by === '' ? '' : `  signed by ${by}`}${step}\n  safeMessageHash ${p.safeMessageHash}\n`;
    })
    .join('');
}

/**
 * The Safe message hash an owner signs now, recomputed from the proposal: of its envelope's digest, or
 * in a two-step proposal's first step of its vault typed data's digest (node.md#multisig-members rule
 * 11), whose second step's envelope must carry the Safe's signature of that digest.
 */
export function safeHashToSign(proposal: Proposal): Hex {
  const bad = (why: string) => new CliError('API_BAD_RESPONSE', `proposal ${proposal.id}: ${why}`);
  const chainId = /^eip155:(\d+)$/.exec(proposal.chain)?.[1];
  if (chainId === undefined) throw bad('its chain is not an eip155 chain');
  const { unsigned, digest } = prepareEnvelope(proposal.envelope as unknown as UnsignedEnvelope);
  const vault = proposal.vault;
  if (vault !== undefined && hashTypedData(typedDataFromJson(vault.typedData)) !== vault.digest)
    throw bad('its vault digest is not the digest of its typed data');
  if (vault !== undefined && vault.digest !== proposal.id) throw bad('its id is not its vault digest');
  if (vault === undefined && bytesToHex(digest) !== proposal.id)
    throw bad('its id is not the digest of its envelope');
  const firstStep = vault !== undefined && vault.signature === undefined;
  const carried = (unsigned.payload as { extensions?: Record<string, { signature?: unknown }> }).extensions?.[
    SETTLEMENT_EXTENSION
  ]?.signature;
  if (vault?.signature !== undefined && carried !== vault.signature)
    throw bad("its envelope does not carry the Safe's signature of its vault digest");
  const hash = safeMessageHash({
    chainId: BigInt(chainId),
    safe: unsigned.issuer,
    digest: firstStep ? vault.digest : bytesToHex(digest),
  });
  if (hash !== proposal.safeMessageHash) throw bad("its safeMessageHash is not the Safe's hash of it");
  return hash;
}

/** Signs proposal `id` with the owner key in `key` and posts the signature; answers the proposal after it. */
export async function signProposal(o: {
  api: string;
  id: string;
  key: string;
  passwordFile?: string;
  passwordEnv?: string;
  tokenFile?: string;
  ethSign?: boolean;
}): Promise<Proposal> {
  if (!PROPOSAL_ID.test(o.id))
    throw new CliError('API_BAD_PARAMETER', 'id must be a proposal id: 0x and 64 lower-case hex digits', 2);
  const token = await readApiToken(o.tokenFile);
  const proposal = (await listProposals(o)).find((p) => p.id === o.id);
  if (proposal === undefined)
    throw new CliError(
      'KEY_PROPOSAL_UNKNOWN',
      `${o.api} holds no proposal ${o.id} (sfr proposals lists them)`,
    );
  // What the owner signs is derived here, from what the node shows, never taken on trust.
  const hash = safeHashToSign(proposal);
  const file = path.resolve(o.key);
  const key = await loadKeyFile(file, () =>
    readPassphrase({
      passwordFile: o.passwordFile === undefined ? undefined : path.resolve(o.passwordFile),
      passwordEnv: o.passwordEnv,
      prompt: `Passphrase of ${file}`,
    }),
  );
  const account = privateKeyToAccount(key.privateKey);
  // node.md#multisig-members step 2: the hash itself, or its EIP-191 (personal_sign) form.
  const signature = o.ethSign
    ? await account.signMessage({ message: { raw: hash } })
    : await account.sign({ hash });
  return (await callApi(o.api, 'POST', `/v1/proposals/${o.id}/signatures`, {
    token,
    body: { signature },
  })) as Proposal;
}
