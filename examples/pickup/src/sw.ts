import { installKitchenSync } from '@kitchen-sync/client/sw';

// Caches the board and its assets so it opens with no network at all.
installKitchenSync();
