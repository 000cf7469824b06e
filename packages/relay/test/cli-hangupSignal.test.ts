import { describe, expect, it } from 'vitest';
import { hangupMeans } from '../src/cli/hangupSignal.js';

describe('SIGHUP', () => {
  it('stops the relay gracefully on Windows, where it means the console window was closed', () => {
    expect(hangupMeans('win32')).toBe('stop');
  });

  it('reloads the certificate files elsewhere', () => {
    expect(hangupMeans('linux')).toBe('reload');
    expect(hangupMeans('darwin')).toBe('reload');
  });
});
