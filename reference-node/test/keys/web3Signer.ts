/**
 * A small real HTTP remote signer for tests: it holds keys and answers the Web3Signer eth1 API
 * (spec/v1/node.md#remote-signer) — `GET /api/v1/eth1/publicKeys`, `POST /api/v1/eth1/sign/{publicKey}`
 * signing keccak256(data), `GET /upcheck` — on 127.0.0.1. `behave` makes it misbehave the ways a
 * real one can: answer with another key's signature, answer 500, or hold requests unanswered.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Hex, keccak256 } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

export type SignerBehaviour = 'ok' | 'wrong-key' | 'error' | 'hang';

export type TestWeb3Signer = {
  readonly url: string;
  /** Public keys as the API lists them (0x + 128 hex). */
  readonly publicKeys: readonly string[];
  /** Signatures made so far. */
  readonly signed: number;
  behave(b: SignerBehaviour): void;
  close(): Promise<void>;
};

export async function startTestWeb3Signer(privateKeys: readonly Hex[], port = 0): Promise<TestWeb3Signer> {
  const accounts = privateKeys.map((k) => privateKeyToAccount(k));
  const byPublicKey = new Map(accounts.map((a) => [`0x${a.publicKey.slice(4)}`.toLowerCase(), a]));
  const other = privateKeyToAccount(keccak256(new TextEncoder().encode('sfr-test-web3signer-other-key')));
  let behaviour: SignerBehaviour = 'ok';
  let signed = 0;
  const hanging = new Set<ServerResponse>();

  const body = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      let text = '';
      req.on('data', (c: Buffer) => {
        text += c.toString('utf8');
      });
      req.on('end', () => resolve(text));
      req.on('error', reject);
    });

  const server = createServer((req, res) => {
    void (async () => {
      const url = req.url ?? '';
      if (req.method === 'GET' && url === '/upcheck') return res.writeHead(200).end('OK');
      if (req.method === 'GET' && url === '/api/v1/eth1/publicKeys') {
        return res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify([...byPublicKey.keys()]));
      }
      const m = /^\/api\/v1\/eth1\/sign\/(0x[0-9a-fA-F]+)$/.exec(url);
      if (req.method !== 'POST' || m === null) return res.writeHead(404).end();
      const account = byPublicKey.get(m[1]!.toLowerCase());
      if (account === undefined) return res.writeHead(404).end('Public Key not found');
      let data: unknown;
      try {
        data = (JSON.parse(await body(req)) as { data?: unknown }).data;
      } catch {
        data = undefined;
      }
      if (typeof data !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(data)) return res.writeHead(400).end();
      if (behaviour === 'hang') {
        hanging.add(res);
        return;
      }
      if (behaviour === 'error') return res.writeHead(500).end('Internal Web3Signer server error');
      const signer = behaviour === 'wrong-key' ? other : account;
      const signature = await signer.sign({ hash: keccak256(data as Hex) });
      signed++;
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(signature);
    })();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    publicKeys: [...byPublicKey.keys()],
    get signed() {
      return signed;
    },
    behave(b) {
      behaviour = b;
      if (b !== 'hang') {
        for (const r of hanging) r.destroy();
        hanging.clear();
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of hanging) r.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
