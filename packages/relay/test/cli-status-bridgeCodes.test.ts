import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STATUS_TEXTS_EN } from '../src/cli/statusTexts.js';
import { STATUS_TEXTS_ID } from '../src/cli/statusTextsId.js';

// Codes the bridge itself puts in /health (uplink.ts, downlink.ts) that once had no words.
const BRIDGE_CODES = ['central_not_advancing', 'seq_gap', 'internal', 'relay_write_failed'];

const relayGuide = readFileSync(new URL('../../../docs/relay.md', import.meta.url), 'utf8');
const bridgeSection = relayGuide.split('## Bridge to central')[1]?.split('\n## ')[0] ?? '';

describe("status's advice for the bridge's own codes", () => {
  it.each(BRIDGE_CODES)('%s has its own advice in both languages, not "see docs"', (code) => {
    for (const texts of [STATUS_TEXTS_EN, STATUS_TEXTS_ID]) {
      expect(texts.centralAdvice(code)).not.toBe(texts.centralAdvice('a_code_nobody_sends'));
    }
  });

  it.each(BRIDGE_CODES)('%s is documented under Bridge to central', (code) => {
    expect(bridgeSection).toContain(`\`${code}\``);
  });
});
