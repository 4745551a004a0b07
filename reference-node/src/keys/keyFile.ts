import { loadMemberKey, type MemberKey, saveMemberKey } from '../envelope/index.js';
import type { Address } from '../envelope/types.js';
import { KeyError } from './keyError.js';
import {
  decryptKeystore,
  encryptKeystore,
  isKeystore,
  type Keystore,
  type KeystoreStrength,
  keystoreAddress,
} from './keystore.js';
import { readPrivateFile, writePrivateFile } from './privateFile.js';
import { addressOfSignerKey } from './remoteSigner.js';

/** The forms of a member key file (node.md#keys): the key encrypted, in plaintext, or held by a remote signer. */
export type KeyFileForm = 'keystore' | 'plaintext' | 'remote' | 'multisig';

/** A key file naming a Web3Signer that holds the key (node.md#remote-signer); it holds no secret. */
export type RemoteSignerReference = {
  readonly kind: 'sfr-remote-signer';
  readonly url: string;
  readonly publicKey: string;
  readonly timeoutMs?: number;
};
const REMOTE_KIND = 'sfr-remote-signer';

/**
 * A key file naming a multisig contract whose owners co-sign (node.md#multisig-members): the node
 * holds no key and proposes every envelope; it holds no secret.
 */
export type MultisigReference = {
  readonly kind: 'sfr-multisig';
  /** The contract (a Safe): the member. */
  readonly member: Address;
  /** Its chain, a CAIP-2 `eip155` id; the node reads the owners through its `chains[]` entry. */
  readonly chain: string;
};
const MULTISIG_KIND = 'sfr-multisig';

/** What a key file says about itself without being decrypted. */
export type KeyFileInfo = {
  readonly file: string;
  readonly form: KeyFileForm;
  readonly address: Address | null;
};

type Parsed =
  | { form: 'keystore'; keystore: Keystore }
  | { form: 'plaintext' }
  | { form: 'remote'; reference: RemoteSignerReference }
  | { form: 'multisig'; reference: MultisigReference };

function readMultisigReference(value: Record<string, unknown>, file: string): MultisigReference {
  const { member, chain } = value;
  const bad = (field: string, expected: string) =>
    new KeyError('KEY_FILE_INVALID', `${file}: multisig ${field} must be ${expected}`);
  if (typeof member !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(member))
    throw bad('member', 'the contract address, 0x + 40 hex digits');
  if (typeof chain !== 'string' || !/^eip155:[1-9][0-9]{0,19}$/.test(chain))
    throw bad('chain', 'a CAIP-2 eip155 chain id such as eip155:8453');
  const extra = Object.keys(value).filter((k) => !['kind', 'member', 'chain'].includes(k));
  if (extra.length > 0) throw bad(extra[0]!, 'absent (unknown member)');
  return { kind: MULTISIG_KIND, member: member as Address, chain };
}

function readReference(value: Record<string, unknown>, file: string): RemoteSignerReference {
  const { url, publicKey, timeoutMs } = value;
  const bad = (field: string, expected: string) =>
    new KeyError('KEY_FILE_INVALID', `${file}: remote signer ${field} must be ${expected}`);
  if (typeof url !== 'string' || !/^https?:\/\/[^/]/.test(url)) throw bad('url', 'an http(s) URL');
  if (typeof publicKey !== 'string' || !/^0x(04)?[0-9a-fA-F]{128}$/.test(publicKey)) {
    throw bad('publicKey', 'the uncompressed secp256k1 public key, 0x + 128 hex digits');
  }
  if (timeoutMs !== undefined && (!Number.isSafeInteger(timeoutMs) || (timeoutMs as number) < 1)) {
    throw bad('timeoutMs', 'a positive integer of milliseconds');
  }
  const extra = Object.keys(value).filter((k) => !['kind', 'url', 'publicKey', 'timeoutMs'].includes(k));
  if (extra.length > 0) throw bad(extra[0]!, 'absent (unknown member)');
  return {
    kind: REMOTE_KIND,
    url,
    publicKey,
    ...(timeoutMs === undefined ? {} : { timeoutMs: timeoutMs as number }),
  };
}

/** Reads a key file (mode 0600 required) and tells its form. */
export async function parseKeyFile(file: string): Promise<Parsed> {
  const text = await readPrivateFile(file, 'key file');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new KeyError('KEY_FILE_INVALID', `${file} is not JSON`);
  }
  if (isKeystore(value)) return { form: 'keystore', keystore: value };
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (kind === 'sfr-member-key') return { form: 'plaintext' };
  if (kind === REMOTE_KIND) {
    return { form: 'remote', reference: readReference(value as Record<string, unknown>, file) };
  }
  if (kind === MULTISIG_KIND) {
    return { form: 'multisig', reference: readMultisigReference(value as Record<string, unknown>, file) };
  }
  throw new KeyError(
    'KEY_FILE_INVALID',
    `${file} is not a keystore, an SFR member key, a remote signer or a multisig reference`,
    {
      details:
        'expected {"version": 3, "crypto": …}, {"kind": "sfr-member-key", …}, {"kind": "sfr-remote-signer", …} or {"kind": "sfr-multisig", …}',
    },
  );
}

/** The form and address of a key file, without its passphrase (`sfr keys list`). */
export async function inspectKeyFile(file: string): Promise<KeyFileInfo> {
  const parsed = await parseKeyFile(file);
  if (parsed.form === 'keystore')
    return { file, form: 'keystore', address: keystoreAddress(parsed.keystore) };
  if (parsed.form === 'remote') {
    return { file, form: 'remote', address: addressOfSignerKey(parsed.reference.publicKey) };
  }
  if (parsed.form === 'multisig') return { file, form: 'multisig', address: parsed.reference.member };
  return { file, form: 'plaintext', address: (await loadMemberKey(file)).address };
}

/**
 * Loads a member key held in this process from either form: a plaintext SFR key file (as before keystores) or a v3
 * keystore, opened with the passphrase `passphrase()` resolves (asked only for a keystore).
 */
export async function loadKeyFile(
  file: string,
  passphrase: () => Promise<string>,
): Promise<MemberKey & { readonly form: 'keystore' | 'plaintext' }> {
  const parsed = await parseKeyFile(file);
  if (parsed.form === 'plaintext') return { ...(await loadMemberKey(file)), form: 'plaintext' };
  if (parsed.form === 'remote')
    throw new KeyError('KEY_FILE_INVALID', `${file} names a remote signer, not a key`);
  if (parsed.form === 'multisig')
    throw new KeyError('KEY_FILE_INVALID', `${file} names a multisig contract, not a key`);
  return { ...(await decryptKeystore(parsed.keystore, await passphrase(), file)), form: 'keystore' };
}

/** Reads a v3 keystore document from a file (for `sfr keys import`). */
export async function readKeystoreFile(file: string): Promise<Keystore> {
  const parsed = await parseKeyFile(file);
  if (parsed.form !== 'keystore') throw new KeyError('KEY_FILE_INVALID', `${file} is not a v3 keystore`);
  return parsed.keystore;
}

export type WriteKeyFileParameters =
  | {
      readonly form: 'keystore';
      readonly passphrase: string;
      readonly strength?: KeystoreStrength;
      readonly overwrite?: boolean;
    }
  | { readonly form: 'plaintext'; readonly overwrite?: boolean };

/** Writes a member key as a keystore (default of `sfr keys new`) or plaintext, mode 0600, atomically. */
export async function writeKeyFile(file: string, key: MemberKey, p: WriteKeyFileParameters): Promise<void> {
  if (p.form === 'plaintext') {
    await saveMemberKey(file, key, { overwrite: p.overwrite ?? false });
    return;
  }
  const keystore = await encryptKeystore(key.privateKey, p.passphrase, p.strength ?? 'standard');
  await writePrivateFile(file, `${JSON.stringify(keystore, null, 2)}\n`, p.overwrite ?? false);
}
