/** A system or SQLite error's code (ENOSPC, EROFS, SQLITE_FULL…), or undefined when it has none. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
