// Preloaded into the relay process (RelayProcess): its clock is off by the milliseconds in
// the file KS_E2E_CLOCK_SHIFT_FILE names (0 when absent), read at each call, so a test sets a
// relay PC's clock hours off, or moves it between two orders, without libfaketime. The relay
// takes `Date.now` as its clock when it is created, after this ran.
import { readFileSync } from 'node:fs';

const file = process.env.KS_E2E_CLOCK_SHIFT_FILE;
if (file) {
  const realNow = Date.now;
  const shift = () => {
    try {
      return Number(readFileSync(file, 'utf8')) || 0;
    } catch {
      return 0;
    }
  };
  Date.now = () => realNow() + shift();
}
