#!/usr/bin/env node
// Committed so the bin target exists before `pnpm build`: pnpm links bins at install time
// and warned about a missing dist/cli.js on every fresh clone.
import '../dist/cli.js';
