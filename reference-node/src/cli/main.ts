#!/usr/bin/env node
// `sfr`: the SFR reference node's command line. Exit codes: 0 ok, 1 failure, 2 usage.
import '../polyfill.js';
import { registeredCodeOf } from '@sfr/schemas/errors';
// Only commander and small local modules load up front, so `--help` and `--version` answer at once;
// each command imports what it needs (libp2p, viem, fastify, ajv …) when it runs.
import { Command, CommanderError, Option } from 'commander';
import { apiOption, tokenOption } from './apiUrl.js';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './cliError.js';
import { addKeyCommands, addProposalCommands } from './keysCommands.js';
import type { NodeStartParameters, RunningNode } from './nodeStart.js';
import { readVersion } from './version.js';

/** A second stop signal within this many ms of the first is not taken as "force exit". */
const FORCE_AFTER_MS = 2_000;

/** Settings a `sfr node start` flag sets (flag name → NodeConfig path). */
const NODE_FLAGS: ReadonlyArray<readonly [string, string, string]> = [
  ['--data-dir <dir>', 'dataDir', 'data folder (store, peer key, generated API token)'],
  ['--http-port <port>', 'http.port', 'HTTP API port (0 = any free port)'],
  ['--http-host <host>', 'http.host', 'HTTP API bind address'],
  ['--log-level <level>', 'logging.level', 'fatal | error | warn | info | debug | trace | silent'],
];

function collectSet(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0)
    throw new CliError(
      'CONFIG_BAD_VALUE',
      `--set expects key.path=value, got "${value.slice(0, 80)}"`,
      EXIT_USAGE,
    );
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

/** The config file, flags and env of `sfr node start` / `sfr config check`, as `startNodeFromConfig` takes them. */
function settingsOf(o: Record<string, unknown>): NodeStartParameters & { config: string } {
  if (typeof o['config'] !== 'string')
    throw new CliError('CONFIG_FILE_UNREADABLE', 'missing --config <file> (or SFR_CONFIG)', EXIT_USAGE);
  const flags: Record<string, unknown> = { ...(o['set'] as Record<string, string>) };
  const flagNames: Record<string, string> = Object.fromEntries(
    Object.keys(flags).map((k) => [k, `--set ${k}`]),
  );
  for (const [flag, settingPath] of NODE_FLAGS) {
    const v = o[flagKey(flag)];
    if (v !== undefined) {
      flags[settingPath] = v;
      flagNames[settingPath] = flag.split(' ')[0]!;
    }
  }
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'SFR_CONFIG'));
  return { config: o['config'], flags, flagNames, env };
}

/** `--config` and `--set` (and the NODE_FLAGS) of the commands that read a node config. */
function addConfigOptions(command: Command): Command {
  command
    .addOption(new Option('--config <file>', 'the node config (JSON, NodeConfig schema)').env('SFR_CONFIG'))
    .option(
      '--set <key=value>',
      'set any config setting by path, e.g. --set gossip.maxMessageBytes=65536 (repeatable)',
      collectSet,
      {},
    );
  for (const [flag, , help] of NODE_FLAGS) command.option(flag, help);
  return command;
}

function flagKey(flag: string): string {
  // '--data-dir <dir>' → 'dataDir' (commander's attribute name)
  const long = flag.split(' ')[0]!.replace(/^--/, '');
  return long.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

export function buildProgram(out: { stdout: (s: string) => void; stderr: (s: string) => void }): Command {
  const program = new Command('sfr')
    .description('SFR (Shared Failure Recovery) reference node')
    .version(readVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: out.stdout, writeErr: out.stderr })
    .exitOverride();

  addKeyCommands(program, out);
  addProposalCommands(program, out);

  const nodeCmd = program.command('node').description('run a node').exitOverride();
  const start = nodeCmd
    .command('start')
    .description(
      'start a node: gossip, validation, store, sync and the HTTP API; stops cleanly on SIGINT / SIGTERM, reloads members, webhooks and log level on SIGHUP',
    )
    .option(
      '--stop-on-stdin-close',
      'stop when stdin closes (for supervisors: the node never outlives its parent)',
      false,
    )
    .exitOverride();
  addConfigOptions(start);
  start.action(async (o: Record<string, unknown>) => {
    const settings = settingsOf(o);
    const { startNodeFromConfig } = await import('./nodeStart.js');
    let running: RunningNode;
    try {
      running = await startNodeFromConfig(settings);
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw new CliError(
        registeredCodeOf(error, 'GOSSIP_START_FAILED'),
        (error as Error).message.split('\n')[0]!,
        EXIT_FAILURE,
        error,
      );
    }
    await new Promise<void>((resolve) => {
      let stopping = false;
      let firstSignalAt = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        if (stopping) {
          // Ctrl-C reaches a supervisor and its nodes together, and the supervisor then forwards a
          // SIGTERM: a repeat within FORCE_AFTER_MS is that echo; a later one forces the exit.
          if (Date.now() - firstSignalAt < FORCE_AFTER_MS) return;
          out.stderr(`second ${signal}: exiting now\n`);
          process.exit(EXIT_FAILURE);
        }
        stopping = true;
        firstSignalAt = Date.now();
        running.logger.info({ signal }, 'stopping');
        running.stop().then(resolve, (e: unknown) => {
          out.stderr(`stop failed: ${(e as Error).message}\n`);
          process.exit(EXIT_FAILURE);
        });
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      // node.md#configuration: SIGHUP reloads members, webhooks and the log level; a config that
      // does not load changes nothing and the node runs on.
      process.on('SIGHUP', () => {
        if (stopping) return;
        running.reload().then(
          (r) =>
            running.logger.info(
              { signal: 'SIGHUP', applied: r.applied, needRestart: r.needRestart },
              'config reloaded',
            ),
          (e: unknown) =>
            running.logger.error(
              { signal: 'SIGHUP', code: (e as { code?: string }).code, err: (e as Error).message },
              'config reload refused: the node keeps its configuration',
            ),
        );
      });
      if (o['stopOnStdinClose'] === true) {
        process.stdin.on('end', () => {
          if (!stopping) onSignal('SIGHUP');
        });
        process.stdin.resume();
      }
    });
  });

  const configCmd = program.command('config').description('node configuration').exitOverride();
  addConfigOptions(
    configCmd
      .command('check')
      .description(
        'check a node config fully without starting: schema, key and token files, data directory, ports, chains and adapters; prints each problem as CODE field: message (exit 1 if any)',
      )
      .option('--json', 'print {file, problems: [{code, field, message}]} as JSON', false)
      .exitOverride(),
  ).action(async (o: Record<string, unknown>) => {
    const { checkConfigFile, formatConfigCheck } = await import('./configCheck.js');
    const r = await checkConfigFile(settingsOf(o));
    out.stdout(o['json'] === true ? `${JSON.stringify(r, null, 2)}\n` : formatConfigCheck(r));
    if (r.problems.length > 0)
      throw new CliError(
        registeredCodeOf(r.problems[0], 'CONFIG_INVALID'),
        `${r.problems.length} problem(s) in the config`,
      );
  });

  program
    .command('status')
    .description("print a running node's status (GET /v1/status)")
    .addOption(apiOption())
    .option('--json', 'print the StatusResponse JSON', false)
    .exitOverride()
    .action(async (o: { api: string; json: boolean }) => {
      const { fetchMembers, fetchStatus, formatStatus } = await import('./status.js');
      const s = await fetchStatus(o.api);
      if (o.json) out.stdout(`${JSON.stringify(s, null, 2)}\n`);
      else out.stdout(formatStatus(s, Date.now(), await fetchMembers(o.api)));
    });

  program
    .command('replay')
    .description(
      'play a crisis replay (a Scenario file, or the name of a shipped one) across a local network of node processes and anvil, and check that every node reaches the expected outcome',
    )
    .argument('<scenario>', 'a Scenario JSON file, or a name from reference-node/scenarios/')
    .option('--data <dir>', "folder for the nodes' keys, configs, stores and logs (emptied first)")
    .option('--timeout-ms <ms>', 'bound of each wait: a node to start, a step, the outcome', '120000')
    .option('--quiet', 'print only the report', false)
    .option('--json', 'print the outcome as JSON', false)
    .option(
      '--keep-running',
      'after the outcome, keep the network and chain running (dashboards live) until Ctrl-C',
      false,
    )
    .exitOverride()
    .action(
      async (
        file: string,
        o: { data?: string; timeoutMs: string; quiet: boolean; json: boolean; keepRunning: boolean },
      ) => {
        const { replayCommand } = await import('./replay.js');
        const code = await replayCommand(file, o, out);
        if (code !== EXIT_OK)
          throw new CliError('REPLAY_OUTCOME_MISMATCH', 'not every node reached the expected outcome');
      },
    );

  const alert = program.command('alert').description('contagion alerts').exitOverride();
  alert
    .command('publish')
    .description(
      'sign and publish a ContagionAlert (a SubmitAlertRequest, read from a JSON file) as this node’s member',
    )
    .requiredOption('--file <request.json>', 'the SubmitAlertRequest: {payload, idempotencyKey?}')
    .option(
      '--ttl <duration>',
      'active for this long from now (6h, 30m, 90s): replaces observedAt and expiresAt',
    )
    .addOption(apiOption())
    .addOption(tokenOption())
    .option('--json', 'print {messageId, seq, expiresAt} as JSON', false)
    .exitOverride()
    .action(async (o: { file: string; ttl?: string; api: string; tokenFile?: string; json: boolean }) => {
      const { publishAlert } = await import('./alert.js');
      const r = await publishAlert(o);
      out.stdout(
        o.json
          ? `${JSON.stringify(r)}\n`
          : `alert ${r.messageId} published (seq ${r.seq}), active until ${new Date(r.expiresAt).toISOString()}\n`,
      );
    });

  addPoolCommands(program, out);
  return program;
}

/** `sfr claim file`, `sfr claims`, `sfr vote`, `sfr pool found | leave | deposit | withdraw | settle | ledger`, `sfr stress` (issue 6 items 5 and 7, issue 10 item 3). */
function addPoolCommands(
  program: Command,
  out: { stdout: (s: string) => void; stderr: (s: string) => void },
): void {
  const claim = program.command('claim').description('claims against a pool').exitOverride();
  claim
    .command('file')
    .description('sign and publish a FundClaim (the payload, read from a JSON file) as this node’s member')
    .requiredOption('--pool <poolId>', 'the pool')
    .requiredOption('--file <claim.json>', 'the FundClaim payload')
    .addOption(apiOption())
    .addOption(tokenOption())
    .option('--json', 'print {messageId, seq} as JSON', false)
    .exitOverride()
    .action(async (o: { pool: string; file: string; api: string; tokenFile?: string; json: boolean }) => {
      const { fileClaim } = await import('./claims.js');
      const r = await fileClaim(o);
      out.stdout(o.json ? `${JSON.stringify(r)}\n` : `claim ${r.messageId} filed (seq ${r.seq})\n`);
    });
  program
    .command('claims')
    .description('list the claims of this node’s pools with their state and this node’s vote')
    .option('--pool <poolId>', 'only this pool')
    .option('--status <status>', 'only attesting | approved | rejected | expired | settled')
    .addOption(apiOption())
    .option('--json', 'print the claims as JSON', false)
    .exitOverride()
    .action(async (o: { pool?: string; status?: string; api: string; json: boolean }) => {
      const { formatClaims, listClaims } = await import('./claims.js');
      const items = await listClaims(o);
      out.stdout(o.json ? `${JSON.stringify(items, null, 2)}\n` : formatClaims(items));
    });
  program
    .command('vote')
    .description('vote by hand on a claim still attesting')
    .argument('<claimId>', 'the claim (its FundClaim message id)')
    .argument('<verdict>', 'approve | reject | abstain')
    .option('--amount <baseUnits>', 'approve: the amount (default: the requested amount)')
    .option('--reason <CODE>', 'reject: the reason code (default: the failed evidence check)')
    .option('--note <text>', 'a short note')
    .addOption(apiOption())
    .addOption(tokenOption())
    .option('--json', 'print {messageId, seq} as JSON', false)
    .exitOverride()
    .action(
      async (
        claimId: string,
        verdict: string,
        o: {
          amount?: string;
          reason?: string;
          note?: string;
          api: string;
          tokenFile?: string;
          json: boolean;
        },
      ) => {
        const { voteOnClaim } = await import('./vote.js');
        const r = await voteOnClaim({ ...o, claimId, verdict });
        out.stdout(
          o.json ? `${JSON.stringify(r)}\n` : `${verdict} on ${claimId}: ${r.messageId} (seq ${r.seq})\n`,
        );
      },
    );
  const pool = program.command('pool').description('shared insurance pools').exitOverride();
  pool
    .command('found')
    .description(
      'found a pool from one command: sign its founding charter and wait until every member’s node co-signed it (pools.md#founding); prints the pool id and each member’s signature',
    )
    .requiredOption(
      '--charter <charter.json>',
      'the founding PoolCharter payload (epoch 0) listing this node’s member',
    )
    .option('--wait <ms>', 'how long to wait for every member’s signature', '120000')
    .addOption(apiOption())
    .addOption(tokenOption())
    .option('--json', 'print the report as JSON (amounts in base units)', false)
    .exitOverride()
    .action(async (o: { charter: string; wait: string; api: string; tokenFile?: string; json: boolean }) => {
      const { foundPool, formatFound } = await import('./poolFound.js');
      const r = await foundPool({
        ...o,
        waitMs: Number(o.wait),
        ...(o.json ? {} : { onProgress: (p) => out.stderr(formatFound(p)) }),
      });
      out.stdout(o.json ? `${JSON.stringify(r, null, 2)}\n` : formatFound(r));
    });
  for (const action of ['deposit', 'withdraw'] as const)
    pool
      .command(action)
      .description(
        action === 'deposit'
          ? 'deposit into this node’s member escrow in the pool’s vault, from the node’s sending account (approves the vault first when needed)'
          : 'withdraw from this node’s member escrow in the pool’s vault; the vault’s bank-run guard refuses it with POOL_WITHDRAWAL_LOCKED and says when to retry',
      )
      .argument('<poolId>', 'the pool')
      .argument('<amount>', 'in token units of the pool asset, like 250.5')
      .option('--idempotency-key <key>', 'a repeated command with the same key sends nothing twice')
      .addOption(apiOption())
      .addOption(tokenOption())
      .option('--json', 'print the mined transaction as JSON (amounts in base units)', false)
      .exitOverride()
      .action(
        async (
          poolId: string,
          amount: string,
          o: { api: string; tokenFile?: string; idempotencyKey?: string; json: boolean },
        ) => {
          const { formatEscrow, moveEscrowByCli } = await import('./poolEscrow.js');
          const r = await moveEscrowByCli({ ...o, action, poolId, amount });
          out.stdout(o.json ? `${JSON.stringify(r, null, 2)}\n` : formatEscrow(r));
        },
      );
  pool
    .command('leave')
    .description(
      'give this node’s member’s notice: sign the amendment that sets its leavingAt (default the earliest the notice period allows) and wait until the other members’ nodes co-signed it and it is registered on the vault (pools.md#giving-notice); prints who co-signed and when withdrawal opens',
    )
    .argument('<poolId>', 'the pool')
    .option('--at <time>', 'when the membership ends, an ISO 8601 time (default: the earliest allowed)')
    .option('--wait <ms>', 'how long to wait for the co-signatures and the registration', '120000')
    .addOption(apiOption())
    .addOption(tokenOption())
    .option('--json', 'print the report as JSON (amounts in base units)', false)
    .exitOverride()
    .action(
      async (
        poolId: string,
        o: { at?: string; wait: string; api: string; tokenFile?: string; json: boolean },
      ) => {
        const { formatLeave, leavePool } = await import('./poolLeave.js');
        const r = await leavePool({ ...o, poolId, waitMs: Number(o.wait) });
        out.stdout(o.json ? `${JSON.stringify(r, null, 2)}\n` : formatLeave(r));
      },
    );
  pool
    .command('settle')
    .description(
      'submit an approved claim’s settlement to the pool’s vault now, whatever this node’s rank; a settled claim answers its settlement and nothing is sent; the vault’s refusal says when to retry',
    )
    .argument('<poolId>', 'the pool')
    .argument('<claimId>', 'the claim (its FundClaim message id)')
    .addOption(apiOption())
    .addOption(tokenOption())
    .option('--json', 'print the settlement as JSON (amounts in base units)', false)
    .exitOverride()
    .action(
      async (poolId: string, claimId: string, o: { api: string; tokenFile?: string; json: boolean }) => {
        const { formatSettle, settleByCli } = await import('./poolSettle.js');
        const r = await settleByCli({ ...o, poolId, claimId });
        out.stdout(o.json ? `${JSON.stringify(r, null, 2)}\n` : formatSettle(r));
      },
    );
  pool
    .command('ledger')
    .description(
      'a pool’s ledger: capital, payouts and each member’s contributions, beside its on-chain escrow when the node follows the pool’s vault',
    )
    .argument('<poolId>', 'the pool')
    .addOption(apiOption())
    .option('--json', 'print the whole pool view as JSON', false)
    .exitOverride()
    .action(async (poolId: string, o: { api: string; json: boolean }) => {
      const { fetchPool, formatLedger } = await import('./poolLedger.js');
      const view = await fetchPool(o.api, poolId);
      out.stdout(o.json ? `${JSON.stringify(view, null, 2)}\n` : formatLedger(poolId, view));
    });
  program
    .command('stress')
    .description(
      'run correlated-failure scenarios against a pool charter: coverage of what was claimed, the share lost to the deductible, caps and shortfall, per member',
    )
    .requiredOption('--pool <charter.json>', 'the charter (payload or signed envelope)')
    .requiredOption('--scenarios <file>', 'the scenarios ({"scenarios": [...]})')
    .option(
      '--rpc <url>',
      "read each member's capital from the charter's vault through this RPC of its settlement chain",
    )
    .option('--json', 'print the report as JSON', false)
    .option('--csv', 'print the report as CSV (one row per scenario and member)', false)
    .exitOverride()
    .action(async (o: { pool: string; scenarios: string; rpc?: string; json: boolean; csv: boolean }) => {
      if (o.json && o.csv)
        throw new CliError('API_BAD_PARAMETER', 'give --json or --csv, not both', EXIT_USAGE);
      const { formatStress, stressPool, stressReportToCsv, stressReportToJson } = await import('./stress.js');
      const report = await stressPool(o);
      out.stdout(
        o.json
          ? `${JSON.stringify(stressReportToJson(report), null, 2)}\n`
          : o.csv
            ? stressReportToCsv(report)
            : formatStress(report),
      );
    });
}

/** Runs `sfr` with `argv` (without node and script); resolves to the exit code. */
export async function runCli(
  argv: readonly string[],
  out = {
    stdout: (s: string) => void process.stdout.write(s),
    stderr: (s: string) => void process.stderr.write(s),
  },
): Promise<number> {
  const program = buildProgram(out);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      ) {
        return EXIT_OK;
      }
      // commander already printed the message (unknown option, missing argument …)
      return EXIT_USAGE;
    }
    if (error instanceof CliError) {
      out.stderr(`error ${error.code}: ${error.message}\n`);
      return error.exitCode;
    }
    out.stderr(`error: ${(error as Error).message}\n`);
    return EXIT_FAILURE;
  }
}

/** Runs `sfr` as the process's command: sets the exit code, then exits (the bin launcher calls it). */
export async function runMain(argv: readonly string[]): Promise<void> {
  const code = await runCli(argv);
  process.exitCode = code;
  // Nothing (libp2p timers, a resumed stdin) may keep a finished command alive; `node start`
  // resolves only after the node has stopped.
  setTimeout(() => process.exit(code), 100).unref();
}

// `node dist/cli/main.js …` and `tsx src/cli/main.ts …` (supervisors and tests spawn these).
if (process.argv[1] !== undefined && /[/\\]cli[/\\]main\.(js|ts)$/.test(process.argv[1])) {
  await runMain(process.argv.slice(2));
}
