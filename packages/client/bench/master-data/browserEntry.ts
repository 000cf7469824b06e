import { createMasterDataService } from '../../src/master-data/masterDataService.js';
import { runScenario } from './scenario.js';

/** What the page exposes to `page.evaluate` (the benchmark and the Chromium test). */
export interface MasterDataPageApi {
  createMasterDataService: typeof createMasterDataService;
  runScenario: typeof runScenario;
}

declare global {
  var masterData: MasterDataPageApi;
}

globalThis.masterData = { createMasterDataService, runScenario };
