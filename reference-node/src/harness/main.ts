#!/usr/bin/env node
/**
 * Conformance harness of the SFR reference implementation (proposal 0001 §8,
 * spec/v1/envelope.md#harness): JSON Lines on stdin → one response line per request on stdout,
 * in request order. Never exits on a bad line; exits 0 when stdin closes.
 */
// First: Node 20 lacks Promise.withResolvers, which libp2p (the node-level ops) calls.
import '../polyfill.js';
import { createInterface } from 'node:readline';
import { handleRequest } from './handleRequest.js';
import { stopNodeOp } from './nodeOps.js';

const MAX_LINE = 4 * 1024 * 1024; // 4 MiB: larger than any vector

async function main(): Promise<void> {
  const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of rl) {
    if (line.trim() === '') continue;
    const response =
      line.length > MAX_LINE
        ? { id: null, error: { code: 'HARNESS_BAD_REQUEST', message: 'request line too long' } }
        : await handleRequest(line);
    if (!process.stdout.write(`${JSON.stringify(response)}\n`)) {
      await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
    }
  }
  // stdin closed: stop a node a node-level run left running, then exit (its sockets would keep us alive).
  await stopNodeOp().catch((error: unknown) => process.stderr.write(`harness: ${String(error)}\n`));
  process.exit(process.exitCode ?? 0);
}

main().catch((error: unknown) => {
  process.stderr.write(`harness: ${String(error)}\n`);
  process.exitCode = 1;
});
