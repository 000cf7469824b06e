@echo off
rem Starts the Kitchen Sync relay in its own minimised window, then checks it.
rem Data (the order log, the secret, the outlet CA) stays in the "data" folder here, logs in
rem "logs" (in %ProgramData%\kitchen-sync when "data" cannot be created here). HTTPS with the relay's own outlet CA (--tls auto): pages served over https:// may
rem only reach a relay over https:// and wss://. Each tablet trusts the CA once, from /setup.
cd /d "%~dp0"
start "Kitchen Sync Relay" /min "%~dp0kitchen-sync-relay.exe" serve --tls auto
timeout /t 3 /nobreak >nul
"%~dp0kitchen-sync-relay.exe" status
pause
