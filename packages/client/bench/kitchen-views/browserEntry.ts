import { runScenario } from './scenario.js';

declare global {
  var kitchenViews: { runScenario: typeof runScenario };
}

globalThis.kitchenViews = { runScenario };
