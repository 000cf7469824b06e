// The relay README's "Embedded" example, as a Node service that embeds the relay has it.
import { createRelay, signToken } from '@kitchen-sync/relay';

const secret = process.env.KS_SECRET ?? '';
const relay = createRelay({ port: 3001, dataDir: './data', secret });
const { url } = await relay.listen();
console.log(`relay on ${url}`);
console.log(await signToken(secret, { sub: 'pos-1', role: 'pos', outlet: 1 }, '30d'));
process.on('SIGTERM', () => void relay.close().then(() => process.exit(0)));
