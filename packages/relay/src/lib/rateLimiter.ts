interface Bucket {
  tokens: number;
  last: number;
}

/** Token bucket refill and take: `perSecond` a second, a burst of the same size. */
function take(bucket: Bucket, perSecond: number, t: number): boolean {
  bucket.tokens = Math.min(perSecond, bucket.tokens + ((t - bucket.last) / 1000) * perSecond);
  bucket.last = t;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

/** One token bucket (a socket connection): `perSecond` messages a second; 0 = unlimited. */
export function createRateLimiter(perSecond: number, now: () => number): () => boolean {
  if (perSecond <= 0) return () => true;
  const bucket: Bucket = { tokens: perSecond, last: now() };
  return () => take(bucket, perSecond, now());
}

/**
 * One bucket per key (a token, an address). Past `maxKeys` the least recently used bucket
 * is dropped, so a flood of new keys cannot grow memory without bound; a dropped key only
 * starts again with a full bucket.
 */
export function createKeyedRateLimiter(
  perSecond: number,
  now: () => number,
  maxKeys = 10_000,
): (key: string) => boolean {
  if (perSecond <= 0) return () => true;
  const buckets = new Map<string, Bucket>();
  return (key) => {
    const t = now();
    let bucket = buckets.get(key);
    // Re-inserting keeps the Map in least-recently-used order.
    if (bucket) buckets.delete(key);
    else bucket = { tokens: perSecond, last: t };
    buckets.set(key, bucket);
    if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value as string);
    return take(bucket, perSecond, t);
  };
}
