// Child process of crash.e2e.test.ts: opens the store, appends as fast as it can with 8 appends in
// flight, and prints `ack <id>` to stdout after each append resolves (i.e. after the fsync).
// The parent SIGKILLs it at a random moment. Usage: crashChild.ts <dir> <firstSeq>
import { openStore } from '../../src/store/index.js';
import { makeWire } from './fixtures.js';

const [dir, first] = process.argv.slice(2);
if (dir === undefined || first === undefined) process.exit(2);
const store = await openStore(dir);
process.stdout.write(`open ${store.isHealthy() ? 'healthy' : 'unhealthy'} ${store.lastCursor}\n`);
let seq = Number(first);
const worker = async (): Promise<void> => {
  for (;;) {
    const r = await store.append({ wire: makeWire({ seq: seq++ }) });
    if (r.status !== 'appended') {
      process.stdout.write(`fail ${r.status}\n`);
      process.exit(1);
    }
    process.stdout.write(`ack ${r.id}\n`);
  }
};
await Promise.all(Array.from({ length: 8 }, worker));
