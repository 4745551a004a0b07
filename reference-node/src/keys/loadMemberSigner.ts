import path from 'node:path';
import type { LocalAccount } from 'viem';
import { toChecksumAddress } from '../envelope/index.js';
import { KeyError } from './keyError.js';
import { loadKeyFile, type MultisigReference, parseKeyFile } from './keyFile.js';
import { createLocalSigner, type MemberSigner } from './memberSigner.js';
import { readPassphrase } from './readPassphrase.js';
import { createRemoteSigner } from './remoteSigner.js';

/** The key settings of NodeConfig `identity` (schemas/v1/NodeConfig.schema.json). */
export type IdentityKeySettings = {
  readonly keyFile: string;
  readonly passwordFile?: string | undefined;
  readonly passwordEnv?: string | undefined;
  readonly remoteSigner?:
    | { readonly url: string; readonly publicKey: string; readonly timeoutMs?: number }
    | undefined;
  readonly member?: string | undefined;
};

export type LoadMemberSignerParameters = {
  readonly identity: IdentityKeySettings;
  /** Relative paths are taken from here (the config file's folder). */
  readonly baseDir: string;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Makes the signer of a multisig reference (node.md#multisig-members); without it such a key file
   * is refused `KEY_FILE_INVALID`.
   */
  readonly multisig?: (reference: MultisigReference) => Promise<MemberSigner>;
};

/**
 * The node's signer from its config `identity`: `keyFile` names a remote Web3Signer, or holds the
 * key in either form (a keystore is opened with the passphrase from `passwordFile`, the variable
 * `passwordEnv`, or the terminal).
 * When `member` is set and the key is another address, the key signs as a rotated key of `member`.
 */
export async function loadMemberSigner(p: LoadMemberSignerParameters): Promise<MemberSigner> {
  const id = p.identity;
  const resolve = (f: string) => path.resolve(p.baseDir, f);
  const file = resolve(id.keyFile);
  const parsed = await parseKeyFile(file);
  if (parsed.form === 'multisig') {
    if (p.multisig === undefined)
      throw new KeyError(
        'KEY_FILE_INVALID',
        `${file} names a multisig contract, which signs no envelope here`,
      );
    if (id.member !== undefined && id.member.toLowerCase() !== parsed.reference.member.toLowerCase())
      throw new KeyError(
        'KEY_FILE_INVALID',
        `${file} names ${parsed.reference.member}, not identity.member ${id.member}`,
      );
    return p.multisig(parsed.reference);
  }
  if (parsed.form === 'remote') {
    const ref = parsed.reference;
    return createRemoteSigner({
      url: ref.url,
      publicKey: ref.publicKey,
      ...(id.member === undefined ? {} : { member: id.member }),
      ...(ref.timeoutMs === undefined ? {} : { timeoutMs: ref.timeoutMs }),
    });
  }
  const key = await loadKeyFile(file, () =>
    readPassphrase({
      passwordFile: id.passwordFile === undefined ? undefined : resolve(id.passwordFile),
      passwordEnv: id.passwordEnv,
      ...(p.env === undefined ? {} : { env: p.env }),
      prompt: `Passphrase of ${file}`,
    }),
  );
  return createLocalSigner({
    member: toChecksumAddress(id.member ?? key.address),
    privateKey: key.privateKey,
  });
}

export type LoadSendingAccountParameters = {
  /** NodeConfig `identity` (its optional `sender`). */
  readonly identity: IdentityKeySettings & {
    readonly sender?: Omit<IdentityKeySettings, 'member' | 'remoteSigner'> | undefined;
  };
  /** The node's member signer. */
  readonly signer: MemberSigner;
  /** Whether the member is a contract (a `network.members[]` entry with `contract`, node.md#contract-members). */
  readonly contractMember: boolean;
  readonly baseDir: string;
  readonly env?: NodeJS.ProcessEnv;
};

/**
 * The account the node pays vault transactions from (settlement.md#sending): `identity.sender` when
 * set (any key form), else the member's own key for an EOA member; null for a contract member
 * without `identity.sender` (it cannot send, `VAULT_NO_SENDER`).
 */
export async function loadSendingAccount(p: LoadSendingAccountParameters): Promise<LocalAccount | null> {
  const sender = p.identity.sender;
  if (sender !== undefined) {
    const signer = await loadMemberSigner({
      identity: sender,
      baseDir: p.baseDir,
      ...(p.env === undefined ? {} : { env: p.env }),
    });
    return signer.account();
  }
  return p.contractMember ? null : p.signer.account();
}
