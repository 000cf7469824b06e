import type { X509Certificate } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { commonNameOf } from '../tls/commonName.js';
import { setupLanguage } from './setupLanguage.js';
import { renderSetupPage } from './setupPage.js';

export interface OnboardingRoutesOptions {
  /** Whether the relay serves HTTPS (the page then offers https:// addresses). */
  tls: boolean;
  /** The public outlet CA certificate, when the relay has one to hand out. */
  caCertificate: () => X509Certificate | null;
  appPrefixes: string[];
  /** Used when a request has no usable Host header. */
  fallbackHost: () => string;
}

// A Host header is shown on the page and put in a QR code: accept only a host[:port].
const HOST_HEADER = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;

function relayUrl(request: FastifyRequest, options: OnboardingRoutesOptions): string {
  const header = request.headers.host ?? '';
  const host = HOST_HEADER.test(header) ? header : options.fallbackHost();
  return `${options.tls ? 'https' : 'http'}://${host}`;
}

/**
 * `GET /ca.crt` (the public CA certificate, no auth), `GET /setup` (onboarding page), and,
 * unless an app is mounted at `/`, `GET /` sending a browser to `/setup`.
 */
export function registerOnboardingRoutes(app: FastifyInstance, options: OnboardingRoutesOptions) {
  const config = { config: { rateLimit: false } };
  if (!options.appPrefixes.includes('/')) {
    // A person who types (or scanned) the bare relay address wants a page, not a JSON 404;
    // API clients, which do not ask for HTML, keep the 404. 302: an app mounted at `/` later
    // must not be hidden by a cached redirect.
    app.get('/', config, async (request, reply) => {
      if (!/\btext\/html\b/.test(request.headers.accept ?? '')) return reply.callNotFound();
      return reply.header('vary', 'Accept').redirect('/setup', 302);
    });
  }
  app.get('/ca.crt', config, async (request, reply) => {
    const ca = options.caCertificate();
    if (!ca) {
      return reply.code(404).send({
        error: {
          code: 'not_found',
          message:
            'this relay has no CA certificate to hand out (start it with --tls-ca or --tls auto)',
        },
      });
    }
    // Only the certificate is re-encoded from the parsed object: nothing else in the CA file
    // (a private key pasted into it by mistake) can leave the relay.
    if ((request.query as { format?: string }).format === 'pem') {
      return reply.type('application/x-pem-file').send(ca.toString());
    }
    return reply
      .type('application/x-x509-ca-cert')
      .header('content-disposition', 'inline; filename="kitchen-sync-outlet-ca.crt"')
      .send(ca.raw);
  });

  app.get('/setup', config, async (request, reply) => {
    const ca = options.caCertificate();
    const html = renderSetupPage({
      relayUrl: relayUrl(request, options),
      appPrefixes: options.appPrefixes,
      language: setupLanguage(
        (request.query as { lang?: unknown }).lang,
        request.headers['accept-language'],
      ),
      ca: ca
        ? { fingerprint256: ca.fingerprint256, name: commonNameOf(ca) }
        : { reason: options.tls ? 'it uses certificate files without --tls-ca' : 'TLS is off' },
    });
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('vary', 'Accept-Language')
      .header(
        'content-security-policy',
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'",
      )
      .send(html);
  });
}
