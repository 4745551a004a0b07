// `sfr keys …`: registration only (commander); each action loads its modules when it runs.
import type { Command } from 'commander';
import { apiOption, tokenOption } from './apiUrl.js';

type Out = { stdout: (s: string) => void; stderr: (s: string) => void };

type PassOptions = { passwordFile?: string; passwordEnv?: string; plaintext: boolean; lightKdf: boolean };

function passOptions(cmd: Command): Command {
  return cmd
    .option('--password-file <file>', 'the keystore passphrase: first line of this file (mode 0600)')
    .option('--password-env <NAME>', 'the keystore passphrase: this environment variable')
    .option('--plaintext', 'write the key unencrypted (JSON, mode 0600) instead of a keystore', false)
    .option('--light-kdf', 'scrypt n = 4096 (geth --lightkdf): opens fast, resists guessing less', false);
}

/** `sfr keys new | import | list | rotate` (node.md#keys). */
export function addKeyCommands(program: Command, out: Out): void {
  const keys = program.command('keys').description('member keys').exitOverride();
  passOptions(
    keys
      .command('new')
      .description(
        'generate a member (secp256k1) key; writes an encrypted v3 keystore (scrypt) readable by you only (mode 0600)',
      )
      .option('--out <file>', 'where to write the key file', 'member.key.json')
      .option('--force', 'overwrite an existing file', false)
      .option('--json', 'print {address, file, form} as JSON', false),
  )
    .exitOverride()
    .action(async (o: PassOptions & { out: string; force: boolean; json: boolean }) => {
      const { keysNew, formatKeyWritten } = await import('./keysActions.js');
      const r = await keysNew(o);
      out.stdout(o.json ? `${JSON.stringify(r)}\n` : formatKeyWritten(r));
    });
  passOptions(
    keys
      .command('import')
      .description(
        'import a raw hex private key (from a file, or stdin with "-") or an existing v3 keystore as a member key file',
      )
      .option('--key-file <file>', 'a file holding the private key as hex ("-" reads stdin)')
      .option('--keystore <file>', 'an existing v3 keystore (checked with its passphrase, copied as is)')
      .option('--out <file>', 'where to write the key file', 'member.key.json')
      .option('--force', 'overwrite an existing file', false)
      .option('--json', 'print {address, file, form} as JSON', false),
  )
    .exitOverride()
    .action(
      async (
        o: PassOptions & { keyFile?: string; keystore?: string; out: string; force: boolean; json: boolean },
      ) => {
        const { keysImport, formatKeyWritten } = await import('./keysActions.js');
        const r = await keysImport(o);
        out.stdout(o.json ? `${JSON.stringify(r)}\n` : formatKeyWritten(r));
      },
    );
  keys
    .command('rotate')
    .description(
      'rotate the running node’s member key to a key file on its host (POST /v1/keys/rotate); the key never travels',
    )
    .argument('<keyFile>', 'the new key (written by `sfr keys new` or `import`), on the node’s host')
    .option('--password-file <file>', 'opens the new keystore (default: the node’s identity passphrase)')
    .addOption(apiOption())
    .addOption(tokenOption())
    .option('--json', 'print {member, newKey, effectiveFromSeq, messageId, seq, keyFile} as JSON', false)
    .exitOverride()
    .action(
      async (
        keyFile: string,
        o: { passwordFile?: string; api: string; tokenFile?: string; json: boolean },
      ) => {
        const { keysRotate, formatKeyRotated } = await import('./keysActions.js');
        const r = await keysRotate({ ...o, keyFile });
        out.stdout(o.json ? `${JSON.stringify(r)}\n` : formatKeyRotated(r));
      },
    );
  keys
    .command('list')
    .description('list member key files (address, form, file; never a secret) in the given files or folders')
    .argument('[paths...]', 'key files or folders to look in', ['.'])
    .option('--json', 'print the list as JSON', false)
    .exitOverride()
    .action(async (paths: string[], o: { json: boolean }) => {
      const { keysList, formatKeyList } = await import('./keysActions.js');
      const items = await keysList(paths);
      out.stdout(o.json ? `${JSON.stringify(items, null, 2)}\n` : formatKeyList(items));
    });
}

/** `sfr proposals` and `sfr proposals sign` (node.md#multisig-members): an owner co-signs its multisig member's messages. */
export function addProposalCommands(program: Command, out: Out): void {
  const proposals = program
    .command('proposals')
    .description(
      'what a multisig member’s node proposes, with its owners’ signatures so far (GET /v1/proposals)',
    )
    .addOption(apiOption())
    .option('--json', 'print the proposals as JSON', false)
    .exitOverride()
    .action(async (o: { api: string; json: boolean }) => {
      const { listProposals, formatProposals } = await import('./proposals.js');
      const items = await listProposals(o);
      out.stdout(o.json ? `${JSON.stringify(items, null, 2)}\n` : formatProposals(items));
    });
  proposals
    .command('sign')
    .description(
      'co-sign a proposal as an owner: checks its digest and Safe message hash, signs the hash with your key here, and posts only the signature',
    )
    .argument('<id>', 'the proposal id (its envelope digest)')
    .requiredOption('--key <file>', 'the owner’s key file (keystore or plaintext; never sent)')
    .option('--password-file <file>', 'the keystore passphrase: first line of this file (mode 0600)')
    .option('--password-env <NAME>', 'the keystore passphrase: this environment variable')
    .option('--eth-sign', 'sign in the EIP-191 personal_sign form (as hardware wallets do)', false)
    .addOption(apiOption())
    .addOption(tokenOption())
    .option('--json', 'print the proposal after the signature as JSON', false)
    .exitOverride()
    .action(
      async (
        id: string,
        o: {
          key: string;
          passwordFile?: string;
          passwordEnv?: string;
          ethSign: boolean;
          api: string;
          tokenFile?: string;
          json: boolean;
        },
      ) => {
        const { formatProposals, signProposal } = await import('./proposals.js');
        // `proposals` takes --api and --json too, wherever they are written: the value given wins.
        const parent = proposals.opts<{ api: string; json: boolean }>();
        const api = proposals.getOptionValueSource('api') === 'default' ? o.api : parent.api;
        const r = await signProposal({ ...o, api, id });
        out.stdout(o.json || parent.json ? `${JSON.stringify(r)}\n` : formatProposals([r]));
      },
    );
}
