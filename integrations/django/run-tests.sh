#!/bin/sh
# The Python tests of the Django integration (SQLite, then PostgreSQL 15 and Redis started
# by run_tests.py). Debian's python3: its Django/Channels come from apt, not from PyPI.
set -e
PYTHON="${KS_PYTHON:-/usr/bin/python3}"
export KS_PYTHON="$PYTHON"
exec "$PYTHON" "$(dirname "$0")/run_tests.py" "$@"
