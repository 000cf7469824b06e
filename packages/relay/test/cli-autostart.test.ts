import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  autostartCommand,
  autostartPlan,
  bootArguments,
  describePlan,
  ENV_PATH,
  runPlan,
  TASK_NAME,
  UNIT_NAME,
} from '../src/cli/autostart.js';
import { environmentFile, maskSecret, splitBootSecrets } from '../src/cli/bootSecrets.js';
import { parseWindowsArguments } from '../src/cli/windowsTask.js';
import { CliError } from '../src/cliOptions.js';
import { killAll, startCli } from './cliProcess.js';
import { removeTempDirs, SECRET, tempDir } from './helpers.js';

describe('autostart', () => {
  it('on Windows creates a Task Scheduler task at boot, as SYSTEM, running the exe with its data dir', () => {
    const exe = 'C:\\Kitchen Sync\\kitchen-sync-relay.exe';
    const plan = autostartPlan(
      'install',
      'win32',
      [exe],
      'C:\\Kitchen Sync\\data',
      [],
      'C:\\Temp\\task.xml',
    );
    expect(plan.files).toHaveLength(1);
    const task = plan.files[0]!;
    expect(task).toMatchObject({ path: 'C:\\Temp\\task.xml', utf16: true });
    expect(plan.commands).toEqual([
      { run: ['schtasks', '/End', '/TN', TASK_NAME], mayFail: true },
      { run: ['schtasks', '/Create', '/F', '/TN', TASK_NAME, '/XML', 'C:\\Temp\\task.xml'] },
      { run: ['schtasks', '/Run', '/TN', TASK_NAME] },
    ]);
    expect(plan.cleanup).toEqual(['C:\\Temp\\task.xml']);
    const xml = task.content!;
    expect(xml).toContain('<Command>C:\\Kitchen Sync\\kitchen-sync-relay.exe</Command>');
    expect(xml).toContain('<Arguments>"serve" "--data-dir" "C:\\Kitchen Sync\\data"</Arguments>');
    expect(xml).toContain('<WorkingDirectory>C:\\Kitchen Sync</WorkingDirectory>');
    // SYSTEM, at boot, and again within a minute of a crash: never a second copy.
    expect(xml).toContain('<UserId>S-1-5-18</UserId>');
    expect(xml).toContain('<BootTrigger>');
    expect(xml).toMatch(/<TimeTrigger>[\s\S]*<Interval>PT1M<\/Interval>/);
    expect(xml).toContain('<MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>');
    // Not the defaults schtasks gives a task: stopped after 3 days, not on battery, low priority.
    expect(xml).toContain('<ExecutionTimeLimit>PT0S</ExecutionTimeLimit>');
    expect(xml).toContain('<DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>');
    expect(xml).toContain('<StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>');
    expect(xml).toContain('<Priority>4</Priority>');
    expect(autostartPlan('remove', 'win32', [exe], 'x').commands).toEqual([
      { run: ['schtasks', '/End', '/TN', TASK_NAME], mayFail: true },
      { run: ['schtasks', '/Delete', '/F', '/TN', TASK_NAME], mayFail: true },
    ]);
  });

  it('escapes what XML and the Windows command line would misread', () => {
    const plan = autostartPlan(
      'install',
      'win32',
      ['C:\\R&D <ks>\\relay.exe'],
      'C:\\R&D <ks>\\data',
      ['--name', 'a"b'],
    );
    const xml = plan.files[0]!.content!;
    expect(xml).toContain('<Command>C:\\R&amp;D &lt;ks&gt;\\relay.exe</Command>');
    expect(xml).toContain(
      '<Arguments>"serve" "--data-dir" "C:\\R&amp;D &lt;ks&gt;\\data" "--name" "a\\"b"</Arguments>',
    );
  });

  it('on Linux writes a systemd unit that restarts the relay and stops it with SIGTERM', () => {
    const plan = autostartPlan(
      'install',
      'linux',
      ['/opt/ks/kitchen-sync-relay'],
      '/opt/ks/my data',
    );
    // No password to hand over: no environment file, and none left from an earlier install.
    expect(plan.files).toHaveLength(2);
    expect(plan.files[0]).toEqual({ path: ENV_PATH });
    const unit = plan.files[1]!;
    expect(unit.path).toBe(`/etc/systemd/system/${UNIT_NAME}`);
    expect(unit.content).not.toContain('EnvironmentFile');
    expect(unit.content).toContain(
      'ExecStart=/opt/ks/kitchen-sync-relay serve --data-dir "/opt/ks/my data"\n',
    );
    expect(unit.content).toContain('Restart=on-failure');
    expect(unit.content).toContain('KillSignal=SIGTERM');
    expect(unit.content).toContain('WantedBy=multi-user.target');
    // systemd would give up after 5 failed starts in 10 s (a relay started by hand holds the data dir).
    expect(unit.content).toContain('StartLimitIntervalSec=0');
    expect(plan.commands).toEqual([
      { run: ['systemctl', 'daemon-reload'] },
      { run: ['systemctl', 'enable', UNIT_NAME] },
      { run: ['systemctl', 'restart', UNIT_NAME] },
    ]);
    const remove = autostartPlan('remove', 'linux', ['/opt/ks/kitchen-sync-relay'], '/x');
    expect(remove.files).toEqual([{ path: unit.path }, { path: ENV_PATH }]);
    expect(describePlan(remove)).toBe(
      `remove ${unit.path}\nremove ${ENV_PATH}\nrun systemctl disable --now ${UNIT_NAME}\nrun systemctl daemon-reload\n`,
    );
  });

  it('starts the relay at boot with the serve flags given after --, as START_KITCHEN_SYNC.bat does', () => {
    const exe = 'C:\\Kitchen Sync\\kitchen-sync-relay.exe';
    const windows = autostartPlan('install', 'win32', [exe], 'C:\\Kitchen Sync\\data', [
      '--tls',
      'auto',
    ]);
    expect(windows.files[0]!.content).toContain(
      '<Arguments>"serve" "--data-dir" "C:\\Kitchen Sync\\data" "--tls" "auto"</Arguments>',
    );
  });
});

describe('autostart command', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    killAll();
    removeTempDirs();
  });

  const dryRun = (argv: string[], executable = true) => {
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    const code = autostartCommand(argv, {}, ['/opt/ks/kitchen-sync-relay'], executable);
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
        ? '"serve" "--data-dir" "C:\\opt\\ks\\data" "--tls" "auto" "--name" "relay.local"'
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
    expect(refused(['install', '--dry-run', '--', '--tsl', 'auto'])).toBe(
      '--tsl is not a serve flag (see --help)',
    );
    expect(refused(['install', '--dry-run', '--', 'serve', '--tls', 'auto'])).toMatch(
      /"serve" is not a serve flag/,
    );
    expect(refused(['install', '--dry-run', '--', '--data-dir', '/elsewhere'])).toMatch(
      /--data-dir before --/,
    );
    expect(refused(['remove', '--dry-run', '--', '--tls', 'auto'])).toMatch(/no serve flags/);
  });

  it('refuses values the relay would refuse at every boot, as serve parses them there', () => {
    const refusal = (argv: string[], executable = true) => {
      try {
        dryRun(argv, executable);
      } catch (error) {
        expect(error).toBeInstanceOf(CliError);
        return { message: (error as Error).message, code: (error as CliError).code };
      }
      return 'accepted';
    };
    expect(refusal(['install', '--dry-run', '--', '--tls', 'bogus'])).toEqual({
      message: expect.stringMatching(/^the relay would not start at boot: --tls takes only "auto"/),
      code: 'tls_mode_invalid',
    });
    expect(
      refusal(['install', '--dry-run', '--', '--tls', 'auto', '--name', 'bad_name!']),
    ).toMatchObject({
      message: expect.stringMatching(/^the relay would not start at boot: /),
      code: 'tls_invalid_name',
    });
    expect(
      refusal(['install', '--dry-run', '--', '--secret-file', '/nonexistent/secret']),
    ).toMatchObject({
      message: expect.stringContaining('cannot read the secret file /nonexistent/secret'),
    });
    // Under Node nothing makes a secret, and the boot task has none of this shell's variables.
    expect(refusal(['install', '--dry-run', '--', '--tls', 'auto'], false)).toMatchObject({
      message: expect.stringContaining(
        'serve needs --secret-file or KS_SECRET (or --insecure-no-auth) (give it after --',
      ),
    });
    // The executable makes its own at first start.
    expect(refusal(['install', '--dry-run', '--', '--tls', 'auto'])).toBe('accepted');
  });

  it('on Windows, hands the relay at boot exactly the arguments given, trailing backslashes too', () => {
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    const argv = [
      'install',
      '--data-dir',
      'C:\\Program Files\\Kitchen Sync\\data',
      '--dry-run',
      '--',
      '--tls',
      'auto',
      '--app',
      'kiosk=C:\\Apps\\Kiosk Build\\',
      '--tls-dir',
      'C:\\Certs\\',
      '--name',
      'relay.local',
    ];
    const exe = 'C:\\Kitchen Sync\\kitchen-sync-relay.exe';
    expect(autostartCommand(argv, {}, [exe], true, 'win32')).toBe(0);
    const line = /<Arguments>(.*)<\/Arguments>/.exec(printed.join(''))![1]!;
    expect(parseWindowsArguments(line)).toEqual([
      'serve',
      '--data-dir',
      'C:\\Program Files\\Kitchen Sync\\data',
      '--tls',
      'auto',
      '--app',
      'kiosk=C:\\Apps\\Kiosk Build\\',
      '--tls-dir',
      'C:\\Certs\\',
      '--name',
      'relay.local',
    ]);
    expect(bootArguments(['serve', '--data-dir', 'D:\\'], 'win32')).toEqual([
      'serve',
      '--data-dir',
      'D:\\',
    ]);
  });

  it('--help prints the usage and exits 0', () => {
    const { code, printed } = dryRun(['--help']);
    expect(code).toBe(0);
    expect(printed).toContain('kitchen-sync-relay autostart install');
  });

  it('says when a relay holds the data dir now: the boot copy takes over once it is closed', async () => {
    const dataDir = tempDir('ks-autostart-');
    const args = ['install', '--data-dir', dataDir, '--dry-run', '--', '--tls', 'auto'];
    expect(dryRun(args).printed).not.toContain('a relay is using this data dir');
    const relay = await startCli(['--data-dir', dataDir], { KS_SECRET: SECRET });
    expect(dryRun(args).printed).toContain('Note: a relay is using this data dir right now.');
    relay.child.kill('SIGTERM');
    expect(await relay.exited).toBe(0);
    expect(dryRun(args).printed).not.toContain('a relay is using this data dir');
  });
});

describe('autostart with passwords in the serve flags', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    removeTempDirs();
  });

  const POSTGRES = 'postgres://ks:Pg-Pw-1@db.lan:5432/kitchen';
  const REDIS = 'redis://:Redis-Pw-2@redis.lan:6379';
  const flags = [
    '--store',
    'postgres',
    '--database-url',
    POSTGRES,
    `--cluster-redis-url=${REDIS}`,
    '--node-id',
    'a',
  ];

  it('on Linux hands them to the relay in a root-only environment file, never on its command line', () => {
    const plan = autostartPlan('install', 'linux', ['/opt/ks/relay'], '/var/lib/ks', flags);
    const [env, unit] = plan.files;
    expect(env).toEqual({
      path: ENV_PATH,
      content: `KS_DATABASE_URL="${POSTGRES}"\nKS_CLUSTER_REDIS_URL="${REDIS}"\n`,
      mode: 0o600,
      shown:
        'KS_DATABASE_URL="postgres://ks:***@db.lan:5432/kitchen"\nKS_CLUSTER_REDIS_URL="redis://:***@redis.lan:6379"\n',
    });
    expect(unit!.content).toContain(`EnvironmentFile=${ENV_PATH}\n`);
    expect(unit!.content).toContain(
      'ExecStart=/opt/ks/relay serve --data-dir /var/lib/ks --store postgres --node-id a\n',
    );
    const printed = describePlan(plan);
    expect(printed).toContain(`write ${ENV_PATH} (mode 600):`);
    expect(printed).toContain('postgres://ks:***@db.lan');
    for (const text of [unit!.content!, printed]) {
      expect(text).not.toContain('Pg-Pw-1');
      expect(text).not.toContain('Redis-Pw-2');
    }
  });

  it('on Windows keep them in the task (no environment there) but print them masked', () => {
    const plan = autostartPlan('install', 'win32', ['C:\\ks\\relay.exe'], 'C:\\ks\\data', flags);
    const task = plan.files[0]!;
    expect(task.content).toContain(`"--database-url" "${POSTGRES}"`);
    expect(task.shown).toContain('"--database-url" "postgres://ks:***@db.lan:5432/kitchen"');
    expect(task.shown).toContain('"--cluster-redis-url=redis://:***@redis.lan:6379"');
    expect(describePlan(plan)).not.toMatch(/Pg-Pw-1|Redis-Pw-2/);
  });

  it('--dry-run prints them masked', () => {
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    const argv = ['install', '--data-dir', '/var/lib/ks', '--dry-run', '--', ...flags];
    expect(autostartCommand(argv, {}, ['/opt/ks/relay'], true, 'linux')).toBe(0);
    expect(printed.join('')).toContain('KS_DATABASE_URL="postgres://ks:***@db.lan:5432/kitchen"');
    expect(printed.join('')).not.toMatch(/Pg-Pw-1|Redis-Pw-2/);
  });

  it('masks a password given as a query parameter, and quotes what systemd would read otherwise', () => {
    expect(maskSecret('postgresql://db.lan/k?user=ks&password=s3cret&sslmode=require')).toBe(
      'postgresql://db.lan/k?user=ks&password=***&sslmode=require',
    );
    expect(maskSecret('redis://redis.lan:6379')).toBe('redis://redis.lan:6379');
    expect(environmentFile({ KS_DATABASE_URL: 'postgres://u:a"b\\c$d`e@h/db' })).toBe(
      'KS_DATABASE_URL="postgres://u:a\\"b\\\\c\\$d\\`e@h/db"\n',
    );
    expect(() => splitBootSecrets(['--database-url', 'postgres://u:p\n@h/db'])).toThrow(
      expect.objectContaining({ code: 'autostart_secret_unstorable' }),
    );
  });

  it.runIf(process.platform !== 'win32')(
    'writes the environment file 0600, also over one a hand-made setup left readable',
    () => {
      const path = join(tempDir('ks-autostart-'), 'etc', 'kitchen-sync', 'relay.env');
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, 'old', { mode: 0o644 });
      runPlan({
        files: [{ path, content: 'KS_DATABASE_URL="x"\n', mode: 0o600 }],
        commands: [],
        cleanup: [],
      });
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readFileSync(path, 'utf8')).toBe('KS_DATABASE_URL="x"\n');
    },
  );
});
