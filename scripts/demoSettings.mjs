// What both demos (`pnpm start`, `pnpm start:django`) read from the environment; the
// defaults are the ones docs/getting-started.md lists.
export function demoSettings(env) {
  return {
    ports: {
      relay: Number(env.RELAY_PORT ?? 3001),
      central: Number(env.CENTRAL_PORT ?? 8000),
      kiosk: Number(env.KIOSK_PORT ?? 5173),
      kitchen: Number(env.KITCHEN_PORT ?? 5174),
      pickup: Number(env.PICKUP_PORT ?? 5175),
    },
    host: env.HOST ?? '0.0.0.0',
    secret: env.KS_SECRET ?? 'kitchen-sync-demo-secret-not-for-production',
    skipBuild: env.SKIP_BUILD === '1',
  };
}
