import type { BridgeHealth } from '@kitchen-sync/protocol';
import { describe, expect, it } from 'vitest';
import { centralLines } from '../src/cli/centralLines.js';
import { STATUS_TEXTS_EN } from '../src/cli/statusTexts.js';
import { STATUS_TEXTS_ID } from '../src/cli/statusTextsId.js';

const synced: BridgeHealth = {
  state: 'synced',
  pendingEvents: 0,
  lagSeconds: 0,
  lastSuccessAt: '2026-01-01T10:00:00.000Z',
  lastErrorCode: null,
  downlinkCursor: 3,
  downlinkState: 'synced',
  downlinkLastSuccessAt: '2026-01-01T10:00:00.000Z',
  downlinkLastErrorCode: null,
};

const linesFor = (bridge: BridgeHealth, texts = STATUS_TEXTS_EN) =>
  centralLines({ bridge, timestamp: '2026-01-01T10:00:01.000Z', uptime: 60 }, texts);

describe('status on a node of a PostgreSQL cluster says which node runs the bridge', () => {
  it('names this node, another node, or warns that none does, before the upload lines', () => {
    expect(linesFor({ ...synced, role: 'holder', holder: 'node-a' })).toEqual([
      '  bridge to central: run by this node of the cluster',
      '  central: everything uploaded',
    ]);
    expect(linesFor({ ...synced, role: 'standby', holder: 'node-a' })[0]).toBe(
      '  bridge to central: run by node node-a (this node takes it over if that one stops)',
    );
    expect(linesFor({ ...synced, role: 'standby', holder: null })[0]).toMatch(
      /^ {2}WARNING: no node of the cluster runs the bridge to central right now/,
    );
    expect(linesFor({ ...synced, role: 'standby', holder: 'node-a' }, STATUS_TEXTS_ID)[0]).toBe(
      '  jembatan ke pusat: dijalankan oleh node node-a (node ini mengambil alih bila node itu berhenti)',
    );
  });

  it('says nothing of it on a relay of its own', () => {
    expect(linesFor(synced)).toEqual(['  central: everything uploaded']);
  });
});
