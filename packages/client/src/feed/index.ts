export {
  defaultNotify,
  defaultPlaySound,
  requestNotificationPermission,
  unlockAudio,
} from './alerts.js';
export type {
  FeedOutbox,
  FeedSocket,
  KitchenFeed,
  KitchenFeedOptions,
  StatusStepOptions,
} from './kitchenFeed.js';
export { createKitchenFeed } from './kitchenFeed.js';
export type { AlertSettings, KitchenOrder } from './types.js';
