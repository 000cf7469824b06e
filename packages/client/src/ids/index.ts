// Its own entry: a page that only mints ids (an HTTP-only kiosk) must not pull in the core's
// socket.io-client, which bundlers that keep an unused package's imports (esbuild) include.
export { uuidv7 } from './uuidv7.js';
