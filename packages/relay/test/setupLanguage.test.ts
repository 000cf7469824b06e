import { describe, expect, it } from 'vitest';
import { setupLanguage } from '../src/transport/setupLanguage.js';

describe('setupLanguage', () => {
  it('takes ?lang= when it names a language the page has', () => {
    expect(setupLanguage('id', 'en-US')).toBe('id');
    expect(setupLanguage('en', 'id-ID')).toBe('en');
    expect(setupLanguage('fr', 'id-ID')).toBe('id');
    expect(setupLanguage(['id'], undefined)).toBe('en');
  });

  it("follows the browser's order of preference among the languages it has", () => {
    expect(setupLanguage(undefined, 'id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7')).toBe('id');
    expect(setupLanguage(undefined, 'en-GB,id;q=0.5')).toBe('en');
    expect(setupLanguage(undefined, 'en;q=0.4, id;q=0.8')).toBe('id');
    expect(setupLanguage(undefined, 'fr-FR,de;q=0.9,id;q=0.1')).toBe('id');
    expect(setupLanguage(undefined, 'id;q=0, en;q=0.5')).toBe('en');
    // Indonesian's old ISO code, still sent by older Android.
    expect(setupLanguage(undefined, 'in-ID')).toBe('id');
  });

  it('falls back to English', () => {
    expect(setupLanguage(undefined, undefined)).toBe('en');
    expect(setupLanguage(undefined, '')).toBe('en');
    expect(setupLanguage(undefined, 'ja-JP,fr;q=0.9')).toBe('en');
    expect(setupLanguage(undefined, 'id;q=abc')).toBe('en');
  });
});
