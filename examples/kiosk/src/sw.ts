import { installKitchenSync } from '@kitchen-sync/client/sw';

// Caches the page, its assets and the menu for offline starts; queues the central order POST
// while central is unreachable and replays it (same Idempotency-Key) when it is back.
installKitchenSync();
