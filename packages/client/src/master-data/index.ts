export type {
  BackgroundRefreshOptions,
  MasterDataService,
  MasterDataServiceOptions,
} from './masterDataService.js';
export { createMasterDataService } from './masterDataService.js';
export type { RetryOptions } from './pageFetcher.js';
export type {
  Category,
  Collection as MasterDataCollection,
  ItemId,
  MasterDataItem,
  MasterDataState,
  MasterDataStatus,
  MasterDataVersions,
  Product,
  Promotion,
  SyncResult,
} from './types.js';
