// Prints the demo menu of the Node stand-in as JSON, so `pnpm start:django` serves the same
// food court from Django (run with tsx; see scripts/start-django.mjs).
import {
  CATEGORIES,
  DISCONTINUED_PRODUCT_IDS,
  demoPromotions,
  PRODUCTS,
} from '../../../examples/central/src/menu.js';

process.stdout.write(
  JSON.stringify({
    categories: CATEGORIES,
    products: PRODUCTS,
    discontinued: DISCONTINUED_PRODUCT_IDS,
    promotions: demoPromotions(new Date()),
  }),
);
