/**
 * What is wrong with a Redis URL, or null: checked at start, since the Redis client would
 * throw a bare `TypeError: Invalid URL` (or `Invalid pathname`) from deep inside the relay.
 */
export function redisUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL (is its port a number up to 65535?)';
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    return 'must be a redis:// or rediss:// URL';
  }
  // The path is the database number; Redis itself says whether it has that many.
  if (!/^\/?(\d+)?$/.test(url.pathname)) return 'must end in a database number, or in nothing';
  return null;
}
