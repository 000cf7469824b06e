import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { assertServeFlags, CliError } from '../cliOptions.js';
import { parseFlags } from './parseFlags.js';

export const TASK_NAME = 'Kitchen Sync Relay';
export const UNIT_NAME = 'kitchen-sync-relay.service';
const UNIT_PATH = `/etc/systemd/system/${UNIT_NAME}`;

export interface AutostartPlan {
  /** Files written (install) or removed (remove, `content` absent). */
  files: Array<{ path: string; content?: string }>;
  commands: string[][];
}

// Task Scheduler and systemd each parse one command line; quote every part of it.
const winQuote = (arg: string) => `"${arg.replace(/"/g, '\\"')}"`;
const unitQuote = (arg: string) =>
  /^[\w./:=@+-]+$/.test(arg) ? arg : `"${arg.replace(/(["\\])/g, '\\$1')}"`;

/**
 * What `autostart install|remove` does, as data (tested, and printed by `--dry-run`).
 * Windows: a Task Scheduler task at boot, as SYSTEM, which keeps running with nobody
 * logged in (what INSTALL_AUTOSTART.bat did). Linux: a systemd unit, restarted on failure.
 */
export function autostartPlan(
  action: 'install' | 'remove',
  platform: NodeJS.Platform,
  launcher: string[],
  dataDir: string,
  serveFlags: string[] = [],
): AutostartPlan {
  const command = [...launcher, 'serve', '--data-dir', dataDir, ...serveFlags];
  if (platform === 'win32') {
    return {
      files: [],
      commands:
        action === 'install'
          ? [
              [
                'schtasks',
                '/Create',
                '/F',
                '/TN',
                TASK_NAME,
                '/SC',
                'ONSTART',
                '/RU',
                'SYSTEM',
                '/RL',
                'HIGHEST',
                '/TR',
                command.map(winQuote).join(' '),
              ],
              ['schtasks', '/Run', '/TN', TASK_NAME],
            ]
          : [
              ['schtasks', '/End', '/TN', TASK_NAME],
              ['schtasks', '/Delete', '/F', '/TN', TASK_NAME],
            ],
    };
  }
  if (action === 'remove') {
    return {
      files: [{ path: UNIT_PATH }],
      commands: [
        ['systemctl', 'disable', '--now', UNIT_NAME],
        ['systemctl', 'daemon-reload'],
      ],
    };
  }
  const unit = [
    '[Unit]',
    'Description=kitchen-sync relay (orders from POS to kitchen displays over the LAN)',
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    `ExecStart=${command.map(unitQuote).join(' ')}`,
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
    files: [{ path: UNIT_PATH, content: unit }],
    commands: [
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', '--now', UNIT_NAME],
    ],
  };
}

export function describePlan(plan: AutostartPlan): string {
  const lines: string[] = [];
  for (const file of plan.files) {
    if (file.content === undefined) lines.push(`remove ${file.path}`);
    else
      lines.push(
        `write ${file.path}:`,
        ...file.content
          .trimEnd()
          .split('\n')
          .map((l) => `  ${l}`),
      );
  }
  for (const command of plan.commands) lines.push(`run ${command.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

/** Carries the plan out; on `remove`, a task or unit that is already gone is not an error. */
export function runPlan(plan: AutostartPlan, action: 'install' | 'remove'): void {
  for (const file of plan.files) {
    if (file.content === undefined) rmSync(file.path, { force: true });
    else writeFileSync(file.path, file.content, { mode: 0o644 });
  }
  for (const [program, ...args] of plan.commands) {
    try {
      execFileSync(program!, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    } catch (error) {
      if (action === 'install') throw error;
    }
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
      options: { 'data-dir': { type: 'string' }, 'dry-run': { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    }),
  );
  const action = positionals[0];
  if (action !== 'install' && action !== 'remove') {
    throw new CliError('autostart needs install or remove');
  }
  const dataDir = resolve(values['data-dir'] ?? env.KS_DATA_DIR ?? './data');
  if (action === 'remove' && serveFlags.length > 0) {
    throw new CliError('autostart remove takes no serve flags');
  }
  const plan = autostartPlan(action, process.platform, launcher, dataDir, serveFlags);
  process.stdout.write(describePlan(plan));
  if (values['dry-run']) return 0;
  runPlan(plan, action);
  process.stdout.write(
    action === 'install'
      ? 'The relay now starts when this computer starts.\n'
      : 'The relay no longer starts by itself.\n',
  );
  return 0;
}
