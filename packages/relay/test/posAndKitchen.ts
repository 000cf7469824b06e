import { afterEach, beforeEach } from 'vitest';
import { connected, startRelay, type TestClient, type TestRelay, tokenFor } from './helpers.js';

export interface PosAndKitchen {
  t: TestRelay;
  pos: TestClient;
  kitchen: TestClient;
}

/**
 * A fresh relay for every test of the file, with one POS and one kitchen (`kds-1`) signed in.
 * The fields are filled in `beforeEach`, so read them inside tests only.
 */
export function usePosAndKitchen(): PosAndKitchen {
  const set = {} as PosAndKitchen;
  beforeEach(async () => {
    set.t = await startRelay();
    set.pos = await connected(set.t.url, { token: await tokenFor('pos') });
    set.kitchen = await connected(set.t.url, {
      token: await tokenFor('kitchen', { sub: 'kds-1' }),
    });
  });
  afterEach(async () => {
    await set.t.close();
  });
  return set;
}
