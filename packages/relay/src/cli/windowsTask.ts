/** What Task Scheduler runs: a program and its arguments, from a working folder. */
export interface TaskAction {
  command: string;
  args: string[];
  workingDirectory: string;
}

/**
 * One argument quoted for the Microsoft C runtime (and CommandLineToArgvW), which splits the
 * command line back into arguments. Every argument is quoted so spaces in folder names
 * ("C:\Kitchen Sync") stay whole. Backslashes are literal except before a quote, where 2n of
 * them mean n and 2n+1 mean n and a literal quote: so the ones before an embedded quote and at
 * the end (before the closing quote: `C:\Certs\`, `D:\`) are doubled.
 */
export const windowsQuote = (arg: string): string =>
  `"${arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1')}"`;

/** The arguments as one command line, the way Task Scheduler hands them to the program. */
export const windowsArguments = (args: readonly string[]): string =>
  args.map(windowsQuote).join(' ');

/**
 * A command line split into arguments by the Microsoft C runtime's rules (what the relay's
 * process.argv will be), the program's name not included: used to check, before the task is
 * registered, that the relay will get exactly the arguments intended.
 */
export function parseWindowsArguments(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let inArgument = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (char === '\\') {
      let slashes = 0;
      while (line[i] === '\\') {
        slashes++;
        i++;
      }
      if (line[i] === '"') {
        current += '\\'.repeat(Math.floor(slashes / 2));
        if (slashes % 2 === 1) current += '"';
        else i--; // the quote opens or closes a quoted part: handled next round
      } else {
        current += '\\'.repeat(slashes);
        i--;
      }
      inArgument = true;
    } else if (char === '"') {
      // Inside quotes, "" is a literal quote (the C runtime since 2008).
      if (quoted && line[i + 1] === '"') {
        current += '"';
        i++;
      } else quoted = !quoted;
      inArgument = true;
    } else if ((char === ' ' || char === '\t') && !quoted) {
      if (inArgument) args.push(current);
      current = '';
      inArgument = false;
    } else {
      current += char;
      inArgument = true;
    }
  }
  if (inArgument) args.push(current);
  return args;
}

const xmlText = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The boot task as Task Scheduler XML. `schtasks /Create /SC ONSTART` alone gives a task the
 * defaults meant for short jobs, each wrong for a relay that runs for months: it is stopped
 * after 3 days, never started on battery power (a laptop at the cashier) and stopped when the
 * power cable is pulled, and runs at below-normal priority. Here the relay runs without a time
 * limit, on battery too, at normal priority, and a trigger every minute starts it again within
 * a minute after a crash (IgnoreNew: never a second copy while it runs). The same trigger
 * starts it once a relay started by hand on the same folder is closed.
 */
export function windowsTaskXml(description: string, action: TaskAction): string {
  return `<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>${xmlText(description)}</Description>
  </RegistrationInfo>
  <Triggers>
    <BootTrigger>
      <Enabled>true</Enabled>
    </BootTrigger>
    <TimeTrigger>
      <StartBoundary>2024-01-01T00:00:00</StartBoundary>
      <Repetition>
        <Interval>PT1M</Interval>
        <StopAtDurationEnd>false</StopAtDurationEnd>
      </Repetition>
      <Enabled>true</Enabled>
    </TimeTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <UserId>S-1-5-18</UserId>
      <LogonType>ServiceAccount</LogonType>
      <RunLevel>HighestAvailable</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <AllowHardTerminate>true</AllowHardTerminate>
    <StartWhenAvailable>true</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>
    <IdleSettings>
      <StopOnIdleEnd>false</StopOnIdleEnd>
      <RestartOnIdle>false</RestartOnIdle>
    </IdleSettings>
    <AllowStartOnDemand>true</AllowStartOnDemand>
    <Enabled>true</Enabled>
    <Hidden>false</Hidden>
    <RunOnlyIfIdle>false</RunOnlyIfIdle>
    <WakeToRun>false</WakeToRun>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <Priority>4</Priority>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>${xmlText(action.command)}</Command>
      <Arguments>${xmlText(windowsArguments(action.args))}</Arguments>
      <WorkingDirectory>${xmlText(action.workingDirectory)}</WorkingDirectory>
    </Exec>
  </Actions>
</Task>
`;
}
