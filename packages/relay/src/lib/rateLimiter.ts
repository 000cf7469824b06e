interface Bucket {
  tokens: number;
  last: number;
}

/**
 * Token bucket refill and take: `perSecond` a second, a burst of the same size. Time going
 * backwards refills nothing rather than draining the bucket: on the wall clock an NTP step back
 * of 2 h refused every message for 2 h (the callers pass a monotonic clock; this is the guard).
 */
function take(bucket: Bucket, perSecond: number, t: number): boolean {
  const elapsedMs = Math.max(0, t - bucket.last);
  bucket.tokens = Math.min(perSecond, bucket.tokens + (elapsedMs / 1000) * perSecond);
  bucket.last = t;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

/**
 * One token bucket (a socket connection): `perSecond` messages a second; 0 = unlimited.
 * `elapsed` is a monotonic clock in ms (performance.now), never the wall clock.
 */
export function createRateLimiter(perSecond: number, elapsed: () => number): () => boolean {
  if (perSecond <= 0) return () => true;
  const bucket: Bucket = { tokens: perSecond, last: elapsed() };
  return () => take(bucket, perSecond, elapsed());
}

/**
 * One bucket per key (a token, an address). Past `maxKeys` the least recently used bucket
 * is dropped, so a flood of new keys cannot grow memory without bound; a dropped key only
 * starts again with a full bucket. `elapsed` is a monotonic clock in ms, as above.
 */
export function createKeyedRateLimiter(
  perSecond: number,
  elapsed: () => number,
  maxKeys = 10_000,
): (key: string) => boolean {
  if (perSecond <= 0) return () => true;
  const buckets = new Map<string, Bucket>();
  return (key) => {
    const t = elapsed();
    let bucket = buckets.get(key);
    // Re-inserting keeps the Map in least-recently-used order.
    if (bucket) buckets.delete(key);
    else bucket = { tokens: perSecond, last: t };
    buckets.set(key, bucket);
    if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value as string);
    return take(bucket, perSecond, t);
  };
}
