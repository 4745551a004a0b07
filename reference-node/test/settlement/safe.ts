/**
 * A real Safe (`@safe-global/safe-smart-account` 1.5.0 artifacts from npm) on anvil: singleton,
 * proxy factory and CompatibilityFallbackHandler, then a proxy with the given owners. Its
 * ERC-1271 `isValidSignature` answers through the fallback handler.
 */
import { createRequire } from 'node:module';
import type { AnvilInstance } from '@sfr/adapter-kit/testing';
import {
  type Abi,
  type Address,
  concatHex,
  encodeAbiParameters,
  encodeFunctionData,
  getAddress,
  type Hex,
  type LocalAccount,
  zeroAddress,
} from 'viem';

const require = createRequire(import.meta.url);
type Artifact = { abi: Abi; bytecode: Hex };
const artifact = (path: string): Artifact =>
  require(`@safe-global/safe-smart-account/build/artifacts/contracts/${path}`) as Artifact;

const SENTINEL = '0x0000000000000000000000000000000000000001';

export type SafeWallet = {
  address: Address;
  /** The Safe's ERC-1271 signature over `digest` by `owners` (each signs the Safe's message hash). */
  sign(digest: Hex, owners: readonly LocalAccount[]): Promise<Hex>;
  /** Executes `removeOwner(owner)` signed by `signers`, keeping `threshold`. */
  removeOwner(owner: Address, threshold: bigint, signers: readonly LocalAccount[]): Promise<void>;
  /** Executes `addOwnerWithThreshold(owner, threshold)` signed by `signers`. */
  addOwner(owner: Address, threshold: bigint, signers: readonly LocalAccount[]): Promise<void>;
};

async function ownerSignatures(hash: Hex, owners: readonly LocalAccount[]): Promise<Hex> {
  const sorted = [...owners].sort((a, b) => (a.address.toLowerCase() < b.address.toLowerCase() ? -1 : 1));
  const sigs: Hex[] = [];
  for (const o of sorted) {
    if (!o.sign) throw new Error('owner cannot sign raw hashes');
    sigs.push(await o.sign({ hash }));
  }
  return concatHex(sigs);
}

export async function deploySafe(anvil: AnvilInstance, owners: readonly LocalAccount[], threshold: bigint) {
  const safeArt = artifact('Safe.sol/Safe.json');
  const factoryArt = artifact('proxies/SafeProxyFactory.sol/SafeProxyFactory.json');
  const handlerArt = artifact('handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler.json');
  const singleton = await anvil.deploy(safeArt);
  const factory = await anvil.deploy(factoryArt);
  const handler = await anvil.deploy(handlerArt);
  const initializer = encodeFunctionData({
    abi: safeArt.abi,
    functionName: 'setup',
    args: [owners.map((o) => o.address), threshold, zeroAddress, '0x', handler, zeroAddress, 0n, zeroAddress],
  });
  const { result, request } = await anvil.client.simulateContract({
    address: factory,
    abi: factoryArt.abi,
    functionName: 'createProxyWithNonce',
    args: [singleton, initializer, 1n],
  } as never);
  const hash = await anvil.client.writeContract(request as never);
  await anvil.client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  const address = getAddress(result as unknown as Address);
  const read = (functionName: string, args: readonly unknown[] = []) =>
    anvil.client.readContract({ address, abi: safeArt.abi, functionName, args } as never);

  const wallet = {
    address,
    async sign(digest, signers) {
      const messageHash = (await anvil.client.readContract({
        address: handler,
        abi: handlerArt.abi,
        functionName: 'getMessageHashForSafe',
        args: [address, encodeAbiParameters([{ type: 'bytes32' }], [digest])],
      } as never)) as Hex;
      return ownerSignatures(messageHash, signers);
    },
    async removeOwner(owner, newThreshold, signers) {
      const list = (await read('getOwners')) as Address[];
      const i = list.findIndex((o) => o.toLowerCase() === owner.toLowerCase());
      const prev = i <= 0 ? SENTINEL : (list[i - 1] as Address);
      await exec('removeOwner', [prev, owner, newThreshold], signers);
    },
    async addOwner(owner, newThreshold, signers) {
      await exec('addOwnerWithThreshold', [owner, newThreshold], signers);
    },
  } satisfies SafeWallet;
  return wallet;

  /** Executes one of the Safe's own owner-management calls, signed by `signers`. */
  async function exec(functionName: string, args: readonly unknown[], signers: readonly LocalAccount[]) {
    const data = encodeFunctionData({ abi: safeArt.abi, functionName, args });
    const nonce = (await read('nonce')) as bigint;
    const tx = [address, 0n, data, 0, 0n, 0n, 0n, zeroAddress, zeroAddress] as const;
    const txHash = (await read('getTransactionHash', [...tx, nonce])) as Hex;
    await anvil.write(address, safeArt.abi, 'execTransaction', [
      ...tx,
      await ownerSignatures(txHash, signers),
    ]);
  }
}
