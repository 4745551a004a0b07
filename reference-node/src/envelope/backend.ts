import { createRequire } from 'node:module';
import { secp256k1 as nobleSecp } from '@noble/curves/secp256k1.js';
import { keccak_256 as nobleKeccak } from '@noble/hashes/sha3.js';
import { createKeccak } from 'hash-wasm';

/**
 * Crypto backends. The fast path is keccak-256 in WebAssembly (hash-wasm) and secp256k1 through
 * the native libsecp256k1 binding of the `secp256k1` package; each falls back to the audited
 * pure-JS @noble implementation when the fast part cannot load. `SFR_CRYPTO_BACKEND=js` forces
 * the pure-JS path (tests and benchmarks use `useCryptoBackend` instead).
 */
export type KeccakBackendName = 'wasm' | 'noble';
export type SecpBackendName = 'native' | 'noble';

export type SecpBackend = {
  name: SecpBackendName;
  /** Sign a 32-byte digest: 64-byte compact low-s `r ‖ s` and the recovery id (0 or 1). */
  sign(digest: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number };
  /** Recover the 65-byte uncompressed public key, or `null` if there is none. */
  recover(digest: Uint8Array, signature: Uint8Array, recid: number): Uint8Array | null;
  /** 65-byte uncompressed public key of a private key. */
  publicKey(privateKey: Uint8Array): Uint8Array;
  isValidPrivateKey(privateKey: Uint8Array): boolean;
};

type NativeSecp = {
  ecdsaSign(msg: Uint8Array, key: Uint8Array): { signature: Uint8Array; recid: number };
  ecdsaRecover(sig: Uint8Array, recid: number, msg: Uint8Array, compressed: boolean): Uint8Array;
  publicKeyCreate(key: Uint8Array, compressed: boolean): Uint8Array;
  privateKeyVerify(key: Uint8Array): boolean;
};

const nobleSecpBackend: SecpBackend = {
  name: 'noble',
  sign(digest, privateKey) {
    const sig = nobleSecp.sign(digest, privateKey, { prehash: false, lowS: true, format: 'recovered' });
    // noble's 'recovered' format is recid ‖ r ‖ s.
    return { signature: sig.slice(1), recid: sig[0]! };
  },
  recover(digest, signature, recid) {
    try {
      const sig = nobleSecp.Signature.fromBytes(signature, 'compact').addRecoveryBit(recid);
      return sig.recoverPublicKey(digest).toBytes(false);
    } catch {
      return null;
    }
  },
  publicKey: (privateKey) => nobleSecp.getPublicKey(privateKey, false),
  isValidPrivateKey: (privateKey) => nobleSecp.utils.isValidSecretKey(privateKey),
};

function loadNativeSecp(): SecpBackend | null {
  try {
    // `secp256k1/index.js` silently falls back to `elliptic`; load the binding itself so that a
    // failure is visible and our fallback is noble.
    const require = createRequire(import.meta.url);
    const native = require('secp256k1/bindings.js') as NativeSecp;
    return {
      name: 'native',
      sign: (digest, privateKey) => native.ecdsaSign(digest, privateKey),
      recover(digest, signature, recid) {
        try {
          return native.ecdsaRecover(signature, recid, digest, false);
        } catch {
          return null;
        }
      },
      publicKey: (privateKey) => native.publicKeyCreate(privateKey, false),
      isValidPrivateKey: (privateKey) => privateKey.length === 32 && native.privateKeyVerify(privateKey),
    };
  } catch {
    return null;
  }
}

type Hasher = Awaited<ReturnType<typeof createKeccak>>;
async function loadWasmKeccak(): Promise<((data: Uint8Array) => Uint8Array) | null> {
  try {
    const hasher: Hasher = await createKeccak(256);
    return (data) => hasher.init().update(data).digest('binary');
  } catch {
    return null;
  }
}

// Initialised once at module load (top-level await); every call after that is synchronous.
const nativeSecp = loadNativeSecp();
const wasmKeccak = await loadWasmKeccak();
const forceJs = process.env['SFR_CRYPTO_BACKEND'] === 'js';

let activeSecp: SecpBackend = !forceJs && nativeSecp ? nativeSecp : nobleSecpBackend;
let activeKeccak: (data: Uint8Array) => Uint8Array = !forceJs && wasmKeccak ? wasmKeccak : nobleKeccak;
let activeKeccakName: KeccakBackendName = !forceJs && wasmKeccak ? 'wasm' : 'noble';

/** keccak-256 of `data` with the active backend (synchronous). */
export function keccak256(data: Uint8Array): Uint8Array {
  return activeKeccak(data);
}

export function getSecpBackend(): SecpBackend {
  return activeSecp;
}

/** Which backends are active, and which fast paths could load on this machine. */
export function getCryptoBackend(): {
  keccak: KeccakBackendName;
  secp: SecpBackendName;
  available: { wasm: boolean; native: boolean };
} {
  return {
    keccak: activeKeccakName,
    secp: activeSecp.name,
    available: { wasm: wasmKeccak !== null, native: nativeSecp !== null },
  };
}

/**
 * Switch backends (tests, benchmarks). Asking for a fast path that could not load returns `false`
 * and leaves the fallback active.
 */
export function useCryptoBackend(choice: { keccak?: KeccakBackendName; secp?: SecpBackendName }): boolean {
  let ok = true;
  if (choice.keccak === 'noble') {
    activeKeccak = nobleKeccak;
    activeKeccakName = 'noble';
  } else if (choice.keccak === 'wasm') {
    if (wasmKeccak) {
      activeKeccak = wasmKeccak;
      activeKeccakName = 'wasm';
    } else ok = false;
  }
  if (choice.secp === 'noble') activeSecp = nobleSecpBackend;
  else if (choice.secp === 'native') {
    if (nativeSecp) activeSecp = nativeSecp;
    else ok = false;
  }
  return ok;
}
