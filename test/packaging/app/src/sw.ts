import { installKitchenSync } from '@kitchen-sync/client/sw';

installKitchenSync();
