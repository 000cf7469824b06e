@echo off
rem Starts the Kitchen Sync relay in its own minimised window, then checks it.
rem Data (the order log, the secret) stays in the "data" folder here, logs in "logs".
cd /d "%~dp0"
start "Kitchen Sync Relay" /min "%~dp0kitchen-sync-relay.exe"
timeout /t 3 /nobreak >nul
"%~dp0kitchen-sync-relay.exe" status
pause
