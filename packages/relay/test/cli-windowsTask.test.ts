import { describe, expect, it } from 'vitest';
import { parseWindowsArguments, windowsArguments, windowsQuote } from '../src/cli/windowsTask.js';

// Arguments a Windows boot task really gets: folders ending in a backslash, drive roots,
// UNC paths, spaces, embedded quotes, empty values.
const TRICKY = [
  'C:\\',
  'D:\\',
  'C:\\Certs\\',
  'C:\\Kitchen Sync Certs\\',
  'kiosk=C:\\Apps\\Kiosk Build\\',
  'C:\\Program Files\\Kitchen Sync\\data',
  '\\\\server\\share\\Kitchen Sync\\',
  '\\\\server\\share',
  '',
  ' ',
  'a"b',
  '"',
  '""',
  'a\\"b',
  'a\\\\"b',
  'ends with quote"',
  'ends with slash-quote\\"',
  '\\',
  '\\\\',
  'tab\there',
  'no-spaces',
  '--name=relay.local',
];

describe('the boot task command line', () => {
  it('comes back as exactly the arguments given, split by the C runtime rules', () => {
    for (const arg of TRICKY) expect(parseWindowsArguments(windowsQuote(arg))).toEqual([arg]);
    expect(parseWindowsArguments(windowsArguments(TRICKY))).toEqual(TRICKY);
  });

  it('round-trips any mix of backslashes, quotes, spaces and letters', () => {
    // A deterministic walk over short strings of the characters that matter.
    const alphabet = ['\\', '"', ' ', 'a', ':'];
    const all: string[] = [''];
    for (let length = 1; length <= 5; length++) {
      for (let n = 0; n < alphabet.length ** length; n++) {
        let word = '';
        for (let k = n, i = 0; i < length; i++, k = Math.floor(k / alphabet.length)) {
          word += alphabet[k % alphabet.length];
        }
        all.push(word);
      }
    }
    for (const arg of all) expect(parseWindowsArguments(windowsQuote(arg))).toEqual([arg]);
    for (let i = 0; i + 3 <= all.length; i += 97) {
      const args = all.slice(i, i + 3);
      expect(parseWindowsArguments(windowsArguments(args))).toEqual(args);
    }
  });

  it('doubles the backslashes a closing quote would otherwise escape (the audit example)', () => {
    expect(windowsQuote('kiosk=C:\\Apps\\Kiosk Build\\')).toBe('"kiosk=C:\\Apps\\Kiosk Build\\\\"');
    expect(windowsQuote('D:\\')).toBe('"D:\\\\"');
    expect(windowsQuote('a\\"b')).toBe('"a\\\\\\"b"');
    // Backslashes inside a path stay single: Windows reads them literally.
    expect(windowsQuote('C:\\Kitchen Sync\\data')).toBe('"C:\\Kitchen Sync\\data"');
  });

  it('splits as the C runtime does', () => {
    expect(parseWindowsArguments('"a b" c\\d "e\\"f" g\\\\"h i"  "" x')).toEqual([
      'a b',
      'c\\d',
      'e"f',
      'g\\h i',
      '',
      'x',
    ]);
    expect(parseWindowsArguments('"C:\\Certs\\" --name x')).toEqual(['C:\\Certs" --name x']);
  });
});
