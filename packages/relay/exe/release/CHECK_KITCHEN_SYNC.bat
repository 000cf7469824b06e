@echo off
rem Says whether the Kitchen Sync relay on this PC is running, and how it is doing.
cd /d "%~dp0"
"%~dp0kitchen-sync-relay.exe" status
pause
