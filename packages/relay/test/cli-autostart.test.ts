import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  autostartCommand,
  autostartPlan,
  describePlan,
  TASK_NAME,
  UNIT_NAME,
} from '../src/cli/autostart.js';
import { CliError } from '../src/cliOptions.js';

describe('autostart', () => {
  it('on Windows creates a Task Scheduler task at boot, as SYSTEM, running the exe with its data dir', () => {
    const exe = 'C:\\Kitchen Sync\\kitchen-sync-relay.exe';
    const plan = autostartPlan('install', 'win32', [exe], 'C:\\Kitchen Sync\\data');
    expect(plan.files).toEqual([]);
    const [create, run] = plan.commands;
    expect(create!.slice(0, 11)).toEqual([
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
    ]);
    expect(create!.slice(11)).toEqual([
      '/TR',
      '"C:\\Kitchen Sync\\kitchen-sync-relay.exe" "serve" "--data-dir" "C:\\Kitchen Sync\\data"',
    ]);
    expect(run).toEqual(['schtasks', '/Run', '/TN', TASK_NAME]);
    expect(autostartPlan('remove', 'win32', [exe], 'x').commands).toEqual([
      ['schtasks', '/End', '/TN', TASK_NAME],
      ['schtasks', '/Delete', '/F', '/TN', TASK_NAME],
    ]);
  });

  it('on Linux writes a systemd unit that restarts the relay and stops it with SIGTERM', () => {
    const plan = autostartPlan(
      'install',
      'linux',
      ['/opt/ks/kitchen-sync-relay'],
      '/opt/ks/my data',
    );
    expect(plan.files).toHaveLength(1);
    const unit = plan.files[0]!;
    expect(unit.path).toBe(`/etc/systemd/system/${UNIT_NAME}`);
    expect(unit.content).toContain(
      'ExecStart=/opt/ks/kitchen-sync-relay serve --data-dir "/opt/ks/my data"\n',
    );
    expect(unit.content).toContain('Restart=on-failure');
    expect(unit.content).toContain('KillSignal=SIGTERM');
    expect(unit.content).toContain('WantedBy=multi-user.target');
    expect(plan.commands).toEqual([
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', '--now', UNIT_NAME],
    ]);
    const remove = autostartPlan('remove', 'linux', ['/opt/ks/kitchen-sync-relay'], '/x');
    expect(remove.files).toEqual([{ path: unit.path }]);
    expect(describePlan(remove)).toBe(
      `remove ${unit.path}\nrun systemctl disable --now ${UNIT_NAME}\nrun systemctl daemon-reload\n`,
    );
  });

  it('starts the relay at boot with the serve flags given after --, as START_KITCHEN_SYNC.bat does', () => {
    const exe = 'C:\\Kitchen Sync\\kitchen-sync-relay.exe';
    const windows = autostartPlan('install', 'win32', [exe], 'C:\\Kitchen Sync\\data', [
      '--tls',
      'auto',
    ]);
    expect(windows.commands[0]!.at(-1)).toBe(
      '"C:\\Kitchen Sync\\kitchen-sync-relay.exe" "serve" "--data-dir" "C:\\Kitchen Sync\\data" "--tls" "auto"',
    );
  });
});

describe('autostart command', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const dryRun = (argv: string[]) => {
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    const code = autostartCommand(argv, {}, ['/opt/ks/kitchen-sync-relay']);
    return { code, printed: printed.join('') };
  };

  it('--dry-run prints the boot command with the serve flags after --', () => {
    const { code, printed } = dryRun([
      'install',
      '--data-dir',
      '/opt/ks/data',
      '--dry-run',
      '--',
      '--tls',
      'auto',
      '--name',
      'relay.local',
    ]);
    expect(code).toBe(0);
    const expected =
      process.platform === 'win32'
        ? '"serve" "--data-dir" "/opt/ks/data" "--tls" "auto" "--name" "relay.local"'
        : 'ExecStart=/opt/ks/kitchen-sync-relay serve --data-dir /opt/ks/data --tls auto --name relay.local';
    expect(printed).toContain(expected);
  });

  it('refuses serve flags it would only trip over at the next boot', () => {
    const refused = (argv: string[]) => {
      try {
        dryRun(argv);
      } catch (error) {
        expect(error).toBeInstanceOf(CliError);
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(refused(['install', '--dry-run', '--', '--tsl', 'auto'])).toMatch(/--tsl/);
    expect(refused(['install', '--dry-run', '--', 'serve', '--tls', 'auto'])).toMatch(
      /"serve" is not a serve flag/,
    );
    expect(refused(['install', '--dry-run', '--', '--data-dir', '/elsewhere'])).toMatch(
      /--data-dir before --/,
    );
    expect(refused(['remove', '--dry-run', '--', '--tls', 'auto'])).toMatch(/no serve flags/);
  });
});
