import { installKitchenSync } from '@kitchen-sync/client/sw';

// Caches the page and its assets so the kitchen screen opens with no network at all.
installKitchenSync();
