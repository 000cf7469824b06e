import { afterAll } from 'vitest';
import { stopSharedPostgres } from './sharedPostgres.js';

// Each file of the relay-postgres project starts its PostgreSQL on first use; this stops it.
afterAll(stopSharedPostgres);
