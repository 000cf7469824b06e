import { createMasterDataService } from '../../src/master-data/masterDataService.js';
import { runScenario } from './scenario.js';

// What the Node side drives through page.evaluate.
Object.assign(globalThis, { masterData: { createMasterDataService, runScenario } });
