/**
 * Member keys the way operators keep them (spec/v1/node.md#keys): encrypted v3 keystores and
 * plaintext key files, passphrases from a file, a variable or a terminal, a remote Web3Signer,
 * and the signers the node signs every envelope through.
 */
export { type KeyCode, KeyError } from './keyError.js';
export {
  inspectKeyFile,
  type KeyFileForm,
  type KeyFileInfo,
  loadKeyFile,
  type MultisigReference,
  parseKeyFile,
  type RemoteSignerReference,
  readKeystoreFile,
  type WriteKeyFileParameters,
  writeKeyFile,
} from './keyFile.js';
export {
  decryptKeystore,
  encryptKeystore,
  isKeystore,
  type Keystore,
  type KeystoreStrength,
  keystoreAddress,
} from './keystore.js';
export {
  type LoadMemberSignerParameters,
  type LoadSendingAccountParameters,
  loadMemberSigner,
  loadSendingAccount,
} from './loadMemberSigner.js';
export { createLocalSigner, createSignNext, type MemberSigner, type SigningStore } from './memberSigner.js';
export {
  type CreateMultisigSignerParameters,
  createMultisigSigner,
  createSafeOwnersReader,
  type DeliverSigned,
  isMultisigSigner,
  type MultisigSigner,
  type SafeOwners,
  type SafeReader,
  type VaultStep,
} from './multisigSigner.js';
export { readPrivateFile, writePrivateFile } from './privateFile.js';
export { type PassphraseSource, readPassphrase } from './readPassphrase.js';
export {
  addressOfSignerKey,
  createRemoteSigner,
  DEFAULT_REMOTE_SIGNER_TIMEOUT_MS,
  type RemoteSignerParameters,
} from './remoteSigner.js';
export {
  checkKeyCurrent,
  openRotationKey,
  type RotateMemberKeyParameters,
  type RotateMemberKeyReturnType,
  rotateMemberKey,
  rotationProofText,
} from './rotateMemberKey.js';
export {
  type BuildSafeSignatureParameters,
  buildSafeSignature,
  checkOwnerSignature,
  type OwnerSignatureCheck,
  safeMessageHash,
} from './safeSignature.js';
