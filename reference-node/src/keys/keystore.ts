import { Wallet } from '@ethereumjs/wallet';
import { addressOfPrivateKey, type MemberKey, toChecksumAddress } from '../envelope/index.js';
import type { Address, Hex } from '../envelope/types.js';
import { KeyError } from './keyError.js';

/**
 * scrypt cost of a keystore: `standard` is geth's and Web3 Secret Storage's usual n = 2^18, p = 1
 * (about a second to open); `light` is geth's `--lightkdf` n = 2^12, p = 6, for test networks and
 * machines where a second per start matters more than offline guessing cost.
 */
export type KeystoreStrength = 'standard' | 'light';
const SCRYPT: Record<KeystoreStrength, { n: number; p: number }> = {
  standard: { n: 262_144, p: 1 },
  light: { n: 4_096, p: 6 },
};

/** A Web3 Secret Storage v3 document (the fields SFR reads; the rest is kept as is). */
export type Keystore = {
  version: 3;
  id: string;
  address: string;
  crypto: { kdf: string; cipher: string; ciphertext: string; mac: string } & Record<string, unknown>;
};

/** True when `value` looks like a v3 keystore (`version: 3` and a `crypto` object). */
export function isKeystore(value: unknown): value is Keystore {
  const v = value as { version?: unknown; crypto?: unknown; Crypto?: unknown } | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.version === 3 &&
    typeof (v.crypto ?? v.Crypto) === 'object' &&
    (v.crypto ?? v.Crypto) !== null
  );
}

/** The address a keystore declares (EIP-55), or null when it declares none. */
export function keystoreAddress(keystore: Keystore): Address | null {
  const a = typeof keystore.address === 'string' ? keystore.address.replace(/^0x/, '') : '';
  return /^[0-9a-fA-F]{40}$/.test(a) ? toChecksumAddress(`0x${a}`) : null;
}

/** Encrypts a member key into a v3 keystore (scrypt, aes-128-ctr, fresh salt, iv and uuid). */
export async function encryptKeystore(
  privateKey: Hex,
  passphrase: string,
  strength: KeystoreStrength = 'standard',
): Promise<Keystore> {
  const wallet = Wallet.fromPrivateKey(Buffer.from(privateKey.slice(2), 'hex'));
  const { n, p } = SCRYPT[strength];
  return (await wallet.toV3(passphrase, { kdf: 'scrypt', n, p, r: 8, dklen: 32 })) as unknown as Keystore;
}

/**
 * Opens a v3 keystore: `KEY_PASSPHRASE_WRONG` when the MAC does not match, `KEY_FILE_INVALID`
 * when it is not a keystore or its declared address is not its key's.
 */
export async function decryptKeystore(
  keystore: Keystore,
  passphrase: string,
  file = 'keystore',
): Promise<MemberKey> {
  let wallet: Wallet;
  try {
    // nonStrict: geth writes `Crypto` in some versions and mixed-case hex in others
    wallet = await Wallet.fromV3(keystore as never, passphrase, true);
  } catch (cause) {
    const message = (cause as Error).message ?? '';
    if (/possibly wrong passphrase/i.test(message)) {
      throw new KeyError('KEY_PASSPHRASE_WRONG', `the passphrase does not open ${file}`);
    }
    throw new KeyError('KEY_FILE_INVALID', `${file} is not a readable v3 keystore`, {
      details: message.slice(0, 120),
    });
  }
  const privateKey = `0x${Buffer.from(wallet.getPrivateKey()).toString('hex')}` as Hex;
  const address = addressOfPrivateKey(privateKey);
  const declared = keystoreAddress(keystore);
  if (declared !== null && declared !== address) {
    throw new KeyError(
      'KEY_FILE_INVALID',
      `${file} declares address ${declared} but holds the key of ${address}`,
    );
  }
  return { privateKey, address };
}
