import { describe, expect, it } from 'vitest';
import { cliLanguage } from '../src/cli/cliLanguage.js';
import { CliError } from '../src/cliOptions.js';

describe('the language the CLI speaks', () => {
  it('takes --lang first, then KS_LANG', () => {
    expect(cliLanguage('id', { KS_LANG: 'en', LANG: 'en_US.UTF-8' }, 'en-US')).toBe('id');
    expect(cliLanguage('en', { KS_LANG: 'id' }, 'id-ID')).toBe('en');
    expect(cliLanguage(undefined, { KS_LANG: 'id', LANG: 'en_US.UTF-8' }, 'en-US')).toBe('id');
  });

  it('refuses a language it does not have instead of falling back silently', () => {
    expect(() => cliLanguage('fr', {}, 'en-US')).toThrow(CliError);
    expect(() => cliLanguage('fr', {}, 'en-US')).toThrow('--lang must be one of en, id (got "fr")');
    expect(() => cliLanguage(undefined, { KS_LANG: 'ID-id' }, 'en-US')).toThrow(
      'KS_LANG must be one of en, id',
    );
  });

  it('follows the POSIX locale, LC_ALL before LC_MESSAGES before LANG', () => {
    expect(cliLanguage(undefined, { LANG: 'id_ID.UTF-8' }, 'en-US')).toBe('id');
    expect(cliLanguage(undefined, { LANG: 'in_ID' }, 'en-US')).toBe('id');
    expect(cliLanguage(undefined, { LC_ALL: 'en_GB.UTF-8', LANG: 'id_ID.UTF-8' }, 'id-ID')).toBe(
      'en',
    );
    expect(cliLanguage(undefined, { LC_MESSAGES: 'id_ID', LANG: 'en_US' }, 'en-US')).toBe('id');
    expect(cliLanguage(undefined, { LANG: 'de_DE.UTF-8' }, 'id-ID')).toBe('en');
  });

  it("uses the system's locale when no POSIX locale is chosen (Windows, C, POSIX)", () => {
    expect(cliLanguage(undefined, {}, 'id-ID')).toBe('id');
    expect(cliLanguage(undefined, { LANG: 'C.UTF-8' }, 'id-ID')).toBe('id');
    expect(cliLanguage(undefined, { LANG: 'POSIX' }, 'id')).toBe('id');
    expect(cliLanguage(undefined, { LANG: 'C' }, 'en-US')).toBe('en');
    expect(cliLanguage(undefined, {}, 'ja-JP')).toBe('en');
  });
});
