/** What Task Scheduler runs: a program and its arguments, from a working folder. */
export interface TaskAction {
  command: string;
  args: string[];
  workingDirectory: string;
}

// Windows splits a command line back into arguments by its C runtime's rules; quoting every
// argument keeps spaces in folder names ("C:\Kitchen Sync") whole.
export const windowsQuote = (arg: string): string => `"${arg.replace(/"/g, '\\"')}"`;

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
      <Arguments>${xmlText(action.args.map(windowsQuote).join(' '))}</Arguments>
      <WorkingDirectory>${xmlText(action.workingDirectory)}</WorkingDirectory>
    </Exec>
  </Actions>
</Task>
`;
}
