import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { readSecretFile, secretFileExpectation, writeSecretAtomically } from '../keys/privateFile.js';
import { getSecpBackend, keccak256 } from './backend.js';
import { EnvelopeError } from './errors.js';
import { bytesToHex, hexToBytes, utf8 } from './hex.js';
import { addressOfPublicKey } from './recoverSigner.js';
import type { Address, Hex } from './types.js';

export type MemberKey = { privateKey: Hex; address: Address };

// Receivers check the EIP-55 form of every issuer; a network has few issuers, so results are cached.
const CHECKSUM_CACHE_LIMIT = 4096;
const checksumCache = new Map<string, Address>();

/** EIP-55 mixed-case checksum form of an address. */
export function toChecksumAddress(address: string): Address {
  let out = checksumCache.get(address);
  if (out === undefined) {
    out = computeChecksumAddress(address);
    if (checksumCache.size >= CHECKSUM_CACHE_LIMIT) checksumCache.clear();
    checksumCache.set(address, out);
  }
  return out;
}

function computeChecksumAddress(address: string): Address {
  const lower = address.toLowerCase().slice(2);
  const hash = bytesToHex(keccak256(utf8.encode(lower))).slice(2);
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    const c = lower[i]!;
    out += Number.parseInt(hash[i]!, 16) >= 8 ? c.toUpperCase() : c;
  }
  return out as Address;
}

/** 32 private-key bytes, or throws `ENVELOPE_KEY_INVALID`. */
export function privateKeyBytes(privateKey: string): Uint8Array {
  const bytes = /^0x[0-9a-fA-F]{64}$/.test(privateKey) ? hexToBytes(privateKey) : null;
  if (!bytes || !getSecpBackend().isValidPrivateKey(bytes)) {
    throw new EnvelopeError('ENVELOPE_KEY_INVALID', 'Not a secp256k1 private key.', {
      details: 'expected 0x + 64 hex digits, 1 ≤ key < n',
      section: 'keys',
    });
  }
  return bytes;
}

/** The member address (EIP-55) of a private key. */
export function addressOfPrivateKey(privateKey: string): Address {
  return toChecksumAddress(addressOfPublicKey(getSecpBackend().publicKey(privateKeyBytes(privateKey))));
}

/** A fresh member key from the OS CSPRNG. */
export function generateMemberKey(): MemberKey {
  for (;;) {
    const bytes = randomBytes(32);
    if (getSecpBackend().isValidPrivateKey(bytes)) {
      const privateKey = bytesToHex(bytes);
      return { privateKey, address: addressOfPrivateKey(privateKey) };
    }
  }
}

/** A deterministic TEST key: private key = keccak256(utf8(seed)). Never for real members. */
export function deriveTestKey(seed: string): MemberKey {
  const privateKey = bytesToHex(keccak256(utf8.encode(seed)));
  return { privateKey, address: addressOfPrivateKey(privateKey) };
}

const KEY_FILE_KIND = 'sfr-member-key';

/**
 * Write a member key file (JSON, mode 0600) atomically: temp file, fsync, rename, fsync the
 * directory. Refuses to replace an existing file unless `overwrite`.
 */
export async function saveMemberKey(
  file: string,
  key: MemberKey,
  options: { overwrite?: boolean } = {},
): Promise<void> {
  const address = addressOfPrivateKey(key.privateKey);
  if (address.toLowerCase() !== key.address.toLowerCase()) {
    throw new EnvelopeError('ENVELOPE_KEY_INVALID', 'The address does not belong to the private key.', {
      section: 'keys',
    });
  }
  if (!options.overwrite) {
    try {
      await stat(file);
      throw new EnvelopeError('ENVELOPE_INVALID_INPUT', 'Refusing to overwrite an existing key file.', {
        details: file,
        section: 'keys',
      });
    } catch (error) {
      if (error instanceof EnvelopeError) throw error;
    }
  }
  const body = `${JSON.stringify({ kind: KEY_FILE_KIND, address, privateKey: key.privateKey.toLowerCase() }, null, 2)}\n`;
  await writeSecretAtomically(file, body);
}

/**
 * Read a member key file. Refuses a file readable or writable by group or others
 * (`ENVELOPE_KEY_FILE_INSECURE`), one that is not a regular file (a FIFO would block the read) or
 * cannot be read or parsed (`ENVELOPE_KEY_FILE_INVALID`), and a key whose address does not match
 * (`ENVELOPE_KEY_INVALID`).
 */
export async function loadMemberKey(file: string): Promise<MemberKey> {
  const bytes = await readSecretFile(file, (why) => {
    if (why.reason === 'open-to-others')
      return new EnvelopeError('ENVELOPE_KEY_FILE_INSECURE', 'Key file permissions are too open.', {
        details: `${file} ${secretFileExpectation(file, why)}`,
        section: 'keys',
      });
    if (why.reason === 'not-regular')
      return new EnvelopeError('ENVELOPE_KEY_FILE_INVALID', 'Key file is not a regular file.', {
        details: `${file} ${secretFileExpectation(file, why)}`,
        section: 'keys',
      });
    return new EnvelopeError('ENVELOPE_KEY_FILE_INVALID', 'Key file cannot be read.', {
      details: `${file} (${why.errno})`,
      section: 'keys',
      cause: why.cause,
    });
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new EnvelopeError('ENVELOPE_KEY_FILE_INVALID', 'Key file is not JSON.', {
      details: file,
      section: 'keys',
      cause,
    });
  }
  const p = parsed as { kind?: unknown; address?: unknown; privateKey?: unknown } | null;
  if (!p || p.kind !== KEY_FILE_KIND || typeof p.address !== 'string' || typeof p.privateKey !== 'string') {
    throw new EnvelopeError('ENVELOPE_KEY_FILE_INVALID', 'Key file is not an SFR member key.', {
      details: `${file}: expected {"kind": "${KEY_FILE_KIND}", "address", "privateKey"}`,
      section: 'keys',
    });
  }
  const address = addressOfPrivateKey(p.privateKey);
  if (address.toLowerCase() !== p.address.toLowerCase()) {
    throw new EnvelopeError(
      'ENVELOPE_KEY_INVALID',
      'The key file address does not belong to its private key.',
      {
        details: file,
        section: 'keys',
      },
    );
  }
  return { privateKey: p.privateKey as Hex, address };
}
