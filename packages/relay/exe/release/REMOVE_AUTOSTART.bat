@echo off
rem Stops starting the Kitchen Sync relay with Windows. Needs administrator rights.
net session >nul 2>&1
if errorlevel 1 (
  echo Klik kanan file ini lalu pilih "Run as administrator".
  echo Right-click this file and choose "Run as administrator".
  pause
  exit /b 1
)
cd /d "%~dp0"
"%~dp0kitchen-sync-relay.exe" autostart remove
pause
