/**
 * `sfr proposals` and `sfr proposals sign <id> --key <owner key file>` (node.md#multisig-members): an
 * owner of a multisig member reads what its node proposes and co-signs it where the owner's key is.
 * The key never goes to the node: the command recomputes the envelope digest and the Safe message
 * hash from the proposal itself (so a node cannot make it sign something else), signs the hash
 * locally, and posts only the signature.
 */
import path from 'node:path';
import type { Proposal, ProposalListResponse } from '@sfr/schemas';
import { privateKeyToAccount } from 'viem/accounts';
import { bytesToHex, prepareEnvelope, type UnsignedEnvelope } from '../envelope/index.js';
import { loadKeyFile, readPassphrase, safeMessageHash } from '../keys/index.js';
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
      return `${p.id}  seq ${p.seq}  ${e.type}  ${state}${by === '' ? '' : `  signed by ${by}`}\n  safeMessageHash ${p.safeMessageHash}\n`;
    })
    .join('');
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
  // What the owner signs is derived here, from the envelope the node shows, never taken on trust.
  const { unsigned, digest } = prepareEnvelope(proposal.envelope as unknown as UnsignedEnvelope);
  const chainId = /^eip155:(\d+)$/.exec(proposal.chain)?.[1];
  if (bytesToHex(digest) !== proposal.id || chainId === undefined)
    throw new CliError('API_BAD_RESPONSE', `proposal ${o.id}: its id is not the digest of its envelope`);
  const hash = safeMessageHash({
    chainId: BigInt(chainId),
    safe: unsigned.issuer,
    digest: bytesToHex(digest),
  });
  if (hash !== proposal.safeMessageHash)
    throw new CliError(
      'API_BAD_RESPONSE',
      `proposal ${o.id}: its safeMessageHash is not the Safe's hash of it`,
    );
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
