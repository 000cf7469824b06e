@echo off
rem Starts the Kitchen Sync relay whenever this PC starts (a Task Scheduler task).
rem Needs administrator rights: right-click, "Run as administrator".
net session >nul 2>&1
if errorlevel 1 (
  echo Klik kanan file ini lalu pilih "Run as administrator".
  echo Right-click this file and choose "Run as administrator".
  pause
  exit /b 1
)
cd /d "%~dp0"
rem The same flags as START_KITCHEN_SYNC.bat, after the "--". No --data-dir: the relay picks the
rem data folder START_KITCHEN_SYNC.bat's relay uses ("data" here, or
rem %ProgramData%\kitchen-sync\data when "data" could not be created here).
"%~dp0kitchen-sync-relay.exe" autostart install -- --tls auto
pause
