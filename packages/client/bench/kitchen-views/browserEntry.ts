import { runFinishedScenario } from './finishedScenario.js';
import { runScenario } from './scenario.js';

declare global {
  var kitchenViews: {
    runScenario: typeof runScenario;
    runFinishedScenario: typeof runFinishedScenario;
  };
}

globalThis.kitchenViews = { runScenario, runFinishedScenario };
