export declare const NODE_VERSION: string;
export declare const PLATFORMS: Record<string, { pkg: string; binary: string; exe: string }>;
export declare function cacheDir(): string;
export declare function ensureNodeBinary(platform: string, log?: (line: string) => void): string;
