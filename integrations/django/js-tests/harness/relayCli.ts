import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Child } from './childProcess.js';

const CLI = fileURLToPath(new URL('../../../../packages/relay/dist/cli.js', import.meta.url));

/** The real relay, as an outlet runs it: the built CLI with a secret file. */
export async function startRelayCli(dataDir: string, secretFile: string, extraArgs: string[] = []) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run pnpm build first`);
  const relay = new Child(
    process.execPath,
    [
      CLI,
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--secret-file',
      secretFile,
      '--log-level',
      'warn',
      ...extraArgs,
    ],
    {},
  );
  const deadline = Date.now() + 15_000;
  for (;;) {
    const match = /listening on (http:\/\/\S+)/.exec(relay.output);
    if (match?.[1]) return { relay, url: match[1] };
    if (!relay.running || Date.now() > deadline) {
      await relay.stop('SIGKILL');
      throw new Error(`the relay did not start:\n${relay.output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
