// `npm start`: a local SFR network playing a crisis, through the one route that starts local networks,
// `sfr replay` (reference-node/src/replay, spec/v1/node.md#crisis-replays). By default the shipped
// oracle-failure scenario: anvil with Chainlink, Aave v3, Compound v3 and breaker contracts that emit
// the real events, one `sfr node start` process per member on loopback TCP with fresh keys under
// `.sfr-data/local-network/`, a pool; the oracle crash trips the lenders' breakers and ends in two
// claims decided at every node. Prints each node's dashboard URL (`dashboard: http…`) as soon as the
// nodes are up, then the outcome case by case, and keeps the network running until Ctrl-C.
//
// Usage: npm start -- [--once] [--scenario NAME|FILE] [--data DIR] [--timeout-ms MS]
//   --once   stop after the outcome: exit 0 only when every node reached the expected outcome,
//            else 1 with the report of what each node lacked.

import path from 'node:path';
import { parseArgs } from 'node:util';
import { runCli } from '../reference-node/src/cli/main.js';

const ROOT = path.resolve(import.meta.dirname, '..');
/** The most telling of the shipped scenarios: chain, contagion, protective actions and pools in one. */
const DEFAULT_SCENARIO = 'oracle-failure';

const { values: args } = parseArgs({
  options: {
    once: { type: 'boolean', default: false },
    scenario: { type: 'string', default: DEFAULT_SCENARIO },
    data: { type: 'string', default: path.join(ROOT, '.sfr-data/local-network') },
    'timeout-ms': { type: 'string', default: '120000' },
  },
});

process.exitCode = await runCli([
  'replay',
  args.scenario,
  '--data',
  path.resolve(args.data),
  '--timeout-ms',
  args['timeout-ms'],
  ...(args.once ? [] : ['--keep-running']),
]);
