import { describe, expect, it } from 'vitest';
import { autostartPlan, describePlan, TASK_NAME, UNIT_NAME } from '../src/cli/autostart.js';

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
});
