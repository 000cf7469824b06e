/** Token bucket: `perSecond` messages a second with a burst of the same size; 0 = unlimited. */
export function createRateLimiter(perSecond: number, now: () => number): () => boolean {
  if (perSecond <= 0) return () => true;
  let tokens = perSecond;
  let last = now();
  return () => {
    const t = now();
    tokens = Math.min(perSecond, tokens + ((t - last) / 1000) * perSecond);
    last = t;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}
