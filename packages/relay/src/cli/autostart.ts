import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, win32 } from 'node:path';
import { parseArgs } from 'node:util';
import { assertServeFlags, CliError, HELP, parseCli } from '../cliOptions.js';
import { PRIVATE_DIR_MODE } from '../lib/privateFiles.js';
import { dataDirInUse } from '../store/dataDirLock.js';
import { loadSqliteDriver } from '../store/sqlite/loadSqliteDriver.js';
import { autoNames } from '../tls/autoNames.js';
import { TlsError } from '../tls/TlsError.js';
import { environmentFile, maskedFlags, splitBootSecrets } from './bootSecrets.js';
import { parseFlags } from './parseFlags.js';
import { parseWindowsArguments, windowsArguments, windowsTaskXml } from './windowsTask.js';

export const TASK_NAME = 'Kitchen Sync Relay';
export const UNIT_NAME = 'kitchen-sync-relay.service';
const UNIT_PATH = `/etc/systemd/system/${UNIT_NAME}`;
/** The boot command's passwords (bootSecrets.ts): root's alone, read by systemd at start. */
export const ENV_PATH = '/etc/kitchen-sync/relay.env';

export interface AutostartPlan {
  /**
   * Files written (install) or removed (`content` absent) first; `utf16` ones are written as
   * UTF-16 with a byte-order mark (what `schtasks /XML` reads). `mode` 0600 ones hold
   * passwords: `shown` is what is printed instead of their content.
   */
  files: Array<{ path: string; content?: string; utf16?: true; mode?: number; shown?: string }>;
  /** Run in order; `mayFail` ones may fail (nothing to stop yet), the others may not. */
  commands: Array<{ run: string[]; mayFail?: true }>;
  /** Removed at the end, whatever happened. */
  cleanup: string[];
}

// systemd parses one command line; quote what it would split.
const unitQuote = (arg: string) =>
  /^[\w./:=@+-]+$/.test(arg) ? arg : `"${arg.replace(/(["\\])/g, '\\$1')}"`;

const DESCRIPTION = 'kitchen-sync relay (orders from POS to kitchen displays over the LAN)';

/**
 * What `autostart install|remove` does, as data (tested, and printed by `--dry-run`).
 * Windows: a Task Scheduler task at boot, as SYSTEM, which keeps running with nobody logged
 * in (windowsTask.ts). Linux: a systemd unit, restarted on failure.
 */
export function autostartPlan(
  action: 'install' | 'remove',
  platform: NodeJS.Platform,
  launcher: string[],
  dataDir: string,
  serveFlags: string[] = [],
  taskFile: string = join(tmpdir(), 'kitchen-sync-relay-task.xml'),
): AutostartPlan {
  const start = [...launcher, 'serve', '--data-dir', dataDir];
  const command = [...start, ...serveFlags];
  if (platform === 'win32') {
    // Task Scheduler has no environment for a task: the passwords stay in its command line,
    // which only administrators and SYSTEM can read (docs/relay.md). Printed masked.
    if (action === 'remove') {
      return {
        files: [],
        commands: [
          { run: ['schtasks', '/End', '/TN', TASK_NAME], mayFail: true },
          { run: ['schtasks', '/Delete', '/F', '/TN', TASK_NAME], mayFail: true },
        ],
        cleanup: [],
      };
    }
    const task = (args: string[]) =>
      windowsTaskXml(DESCRIPTION, {
        command: command[0]!,
        args,
        // The folder the operator chose (the zip's folder): never C:\Windows\System32.
        workingDirectory: win32.dirname(dataDir),
      });
    const xml = task(command.slice(1));
    const shown = task(maskedFlags(command.slice(1)));
    return {
      files: [{ path: taskFile, content: xml, utf16: true, ...(shown !== xml ? { shown } : {}) }],
      commands: [
        // A relay the task runs already (an upgrade) stops, so the new flags take effect now.
        { run: ['schtasks', '/End', '/TN', TASK_NAME], mayFail: true },
        { run: ['schtasks', '/Create', '/F', '/TN', TASK_NAME, '/XML', taskFile] },
        { run: ['schtasks', '/Run', '/TN', TASK_NAME] },
      ],
      cleanup: [taskFile],
    };
  }
  if (action === 'remove') {
    return {
      files: [{ path: UNIT_PATH }, { path: ENV_PATH }],
      commands: [
        { run: ['systemctl', 'disable', '--now', UNIT_NAME], mayFail: true },
        { run: ['systemctl', 'daemon-reload'], mayFail: true },
      ],
      cleanup: [],
    };
  }
  // Out of ExecStart (a unit file every account may read, and `ps`): systemd hands them over.
  const secrets = splitBootSecrets(serveFlags);
  const hasSecrets = Object.keys(secrets.env).length > 0;
  const unit = [
    '[Unit]',
    `Description=${DESCRIPTION}`,
    'After=network-online.target',
    'Wants=network-online.target',
    // Never give up restarting: by default systemd stops after 5 failed starts in 10 s,
    // e.g. while a relay started by hand still holds the data dir.
    'StartLimitIntervalSec=0',
    '',
    '[Service]',
    ...(hasSecrets ? [`EnvironmentFile=${ENV_PATH}`] : []),
    `ExecStart=${[...start, ...secrets.flags].map(unitQuote).join(' ')}`,
    'Restart=on-failure',
    'RestartSec=2',
    // SIGTERM is the relay's graceful stop: it commits, acks and checkpoints first.
    'KillSignal=SIGTERM',
    'TimeoutStopSec=20',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
  return {
    files: [
      // Installed again without them: an old file with a password is not left behind.
      hasSecrets
        ? {
            path: ENV_PATH,
            content: environmentFile(secrets.env),
            mode: 0o600,
            shown: environmentFile(secrets.env, true),
          }
        : { path: ENV_PATH },
      { path: UNIT_PATH, content: unit },
    ],
    commands: [
      { run: ['systemctl', 'daemon-reload'] },
      { run: ['systemctl', 'enable', UNIT_NAME] },
      // restart, not start: a relay the unit runs already (an upgrade) takes the new flags now.
      { run: ['systemctl', 'restart', UNIT_NAME] },
    ],
    cleanup: [],
  };
}

export function describePlan(plan: AutostartPlan): string {
  const lines: string[] = [];
  for (const file of plan.files) {
    if (file.content === undefined) lines.push(`remove ${file.path}`);
    else
      lines.push(
        `write ${file.path}${file.mode === undefined ? '' : ` (mode ${file.mode.toString(8)})`}:`,
        ...(file.shown ?? file.content)
          .trimEnd()
          .split('\n')
          .map((l) => `  ${l}`),
      );
  }
  for (const command of plan.commands) lines.push(`run ${command.run.join(' ')}`);
  for (const path of plan.cleanup) lines.push(`remove ${path}`);
  return `${lines.join('\n')}\n`;
}

/** Carries the plan out; stops at the first command that fails and may not. */
export function runPlan(plan: AutostartPlan): void {
  try {
    for (const file of plan.files) {
      if (file.content === undefined) {
        rmSync(file.path, { force: true });
        continue;
      }
      const mode = file.mode ?? 0o644;
      if (file.mode !== undefined)
        mkdirSync(dirname(file.path), { recursive: true, mode: PRIVATE_DIR_MODE });
      writeFileSync(
        file.path,
        file.utf16 ? Buffer.from(`\ufeff${file.content}`, 'utf16le') : file.content,
        { mode },
      );
      // The mode is applied only to a file created now; one left by a hand-made setup is fixed.
      if (process.platform !== 'win32') chmodSync(file.path, mode);
    }
    for (const { run, mayFail } of plan.commands) {
      try {
        execFileSync(run[0]!, run.slice(1), { stdio: ['ignore', 'inherit', 'inherit'] });
      } catch (error) {
        if (!mayFail) throw error;
      }
    }
  } finally {
    for (const path of plan.cleanup) rmSync(path, { force: true });
  }
}

// The boot copy cannot start while another relay holds the data dir (data_dir_locked); it
// keeps trying (every minute on Windows, every 2 s on Linux), so closing that one is enough.
const IN_USE_NOTE = `Note: a relay is using this data dir right now. If it was started by hand
(START_KITCHEN_SYNC.bat, a terminal), close it: the boot task's relay takes over by itself
(within a minute on Windows). One the boot task already ran is restarted with this command.
`;

function relayRunsOn(dataDir: string): boolean {
  const lockFile = join(dataDir, 'relay.db.lock');
  try {
    return existsSync(lockFile) && dataDirInUse(loadSqliteDriver(), lockFile);
  } catch {
    return false; // no SQLite engine here: the relay would say so itself
  }
}

/**
 * The arguments the relay will get at boot. On Windows they travel as one command line that
 * the relay's C runtime splits again: it is split here by the same rules, and anything that
 * would not come back exactly as given is refused now rather than fail at every boot.
 */
export function bootArguments(args: string[], platform: NodeJS.Platform): string[] {
  if (platform !== 'win32') return args;
  const parsed = parseWindowsArguments(windowsArguments(args));
  if (parsed.length !== args.length || parsed.some((arg, i) => arg !== args[i])) {
    throw new CliError(
      `the boot task would start the relay with ${JSON.stringify(parsed)} instead of ${JSON.stringify(args)}`,
      'autostart_arguments_mangled',
    );
  }
  return parsed;
}

/**
 * Parses the boot command as `serve` will at the next boot, so a value that cannot work is
 * refused now, in front of the person installing, not at every boot with nobody watching:
 * a bad `--tls` or `--name`, a secret file that cannot be read, no secret at all. The boot task
 * has none of this shell's environment, so none is used.
 */
function assertBootCommandStarts(
  dataDir: string,
  serveFlags: string[],
  executable: boolean,
  platform: NodeJS.Platform,
) {
  const args = bootArguments(['serve', '--data-dir', dataDir, ...serveFlags], platform);
  try {
    const boot = parseCli(
      args,
      executable ? { KS_SECRET: 'the executable makes one at first start' } : {},
    );
    // Names are checked when serve starts; here, now.
    const tls = boot.command === 'serve' ? boot.options.tls : undefined;
    if (tls && 'auto' in tls) autoNames(tls.auto.names);
  } catch (caught) {
    const error = caught instanceof TlsError ? new CliError(caught.message, caught.code) : caught;
    if (!(error instanceof CliError)) throw caught;
    // Under Node nothing makes a secret: say where it goes.
    const hint = /secret/.test(error.message)
      ? ' (give it after --, e.g. -- --secret-file /etc/kitchen-sync/relay.secret)'
      : '';
    throw new CliError(`the relay would not start at boot: ${error.message}${hint}`, error.code);
  }
}

/**
 * `kitchen-sync-relay autostart install|remove [--data-dir D] [--dry-run] [-- SERVE FLAGS]`.
 * What follows `--` is how the relay is started at boot (e.g. `-- --tls auto`), so the boot
 * task runs it the way START_KITCHEN_SYNC.bat does.
 */
export function autostartCommand(
  argv: string[],
  env: NodeJS.ProcessEnv,
  launcher: string[],
  /** The single-file executable, which makes its own secret at first start. */
  executable = false,
  platform: NodeJS.Platform = process.platform,
): number {
  const split = argv.indexOf('--');
  const ownFlags = split >= 0 ? argv.slice(0, split) : argv;
  const serveFlags = split >= 0 ? argv.slice(split + 1) : [];
  assertServeFlags(serveFlags);
  if (serveFlags.some((flag) => flag === '--data-dir' || flag.startsWith('--data-dir='))) {
    throw new CliError('give --data-dir before --: autostart writes it into the boot task itself');
  }
  const { values, positionals } = parseFlags(() =>
    parseArgs({
      args: ownFlags,
      options: {
        'data-dir': { type: 'string' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    }),
  );
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const action = positionals[0];
  if (action !== 'install' && action !== 'remove') {
    throw new CliError('autostart needs install or remove');
  }
  const dataDir = (platform === 'win32' ? win32 : posix).resolve(
    values['data-dir'] ?? env.KS_DATA_DIR ?? './data',
  );
  if (action === 'remove' && serveFlags.length > 0) {
    throw new CliError('autostart remove takes no serve flags');
  }
  if (action === 'install') assertBootCommandStarts(dataDir, serveFlags, executable, platform);
  const plan = autostartPlan(action, platform, launcher, dataDir, serveFlags);
  process.stdout.write(describePlan(plan));
  if (action === 'install' && relayRunsOn(dataDir)) process.stdout.write(IN_USE_NOTE);
  if (values['dry-run']) return 0;
  runPlan(plan);
  process.stdout.write(
    action === 'install'
      ? 'The relay now starts when this computer starts.\n'
      : 'The relay no longer starts by itself.\n',
  );
  return 0;
}
