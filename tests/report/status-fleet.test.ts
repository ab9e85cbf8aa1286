/** The fleet view's text, from a literal view. */
import { describe, expect, it } from 'vitest';
import { ageText, renderFleetStatus, type FleetView } from '../../src/report/status-fleet';

const VIEW: FleetView = {
  checkedAt: '2026-12-08T12:00:00.000Z',
  rows: [
    {
      city: 'agueda',
      env: 'preprod',
      state: { backend: 'local', resources: 14 },
      lastRun: { at: '2026-12-08T11:55:00.000Z', ageSeconds: 300, operation: 'plan', result: 'succeeded' },
      lastApply: {
        at: '2026-12-08T09:00:00.000Z',
        ageSeconds: 10_800,
        operation: 'provision',
        user: 'ana',
        host: 'runner-1',
        commit: '0123456789abcdef0123456789abcdef01234567',
      },
      drift: {
        at: '2026-12-08T11:55:00.000Z',
        ageSeconds: 300,
        source: 'plan',
        pending: true,
        changes: { create: 1, update: 2, replace: 0, delete: 3 },
        manifestChanged: true,
      },
      policy: { at: '2026-12-08T11:55:00.000Z', ageSeconds: 300, result: 'warnings', errors: 0, warnings: 1 },
      services: {
        at: '2026-12-08T12:00:00.000Z',
        ageSeconds: 0,
        checked: true,
        total: 2,
        healthy: 1,
        unhealthy: [{ service: 'pastebin' }],
      },
      problems: [],
    },
    {
      city: 'valladolid',
      env: 'production',
      state: { backend: 's3', resources: null },
      lastRun: null,
      lastApply: null,
      drift: null,
      policy: null,
      services: { checked: false, reason: 'state not read' },
      problems: ['the fleet view does not read s3 state (storm status valladolid --env production does)'],
    },
  ],
  failed: [{ city: 'broken', error: { message: 'stacks/broken.yaml: 2 errors' } }],
};

describe('renderFleetStatus', () => {
  it('one aligned line per city and environment, problems and failures below', () => {
    expect(renderFleetStatus(VIEW, { color: false }).split('\n')).toEqual([
      '2 cities, 2 environments (checked 2026-12-08T12:00:00.000Z; no plan was run — storm plan refreshes the drift column)',
      'CITY        ENV         LAST APPLY               DRIFT (LAST PLAN/APPLY)                         POLICY              SERVICES',
      'agueda      preprod     3h ago by ana @01234567  +1 ~2 -3 (plan 5m ago, manifest changed since)  1 warning (5m ago)  1/2 healthy (down: pastebin) (just now)',
      'valladolid  production  never                    never planned                                   not judged          state not read',
      '  valladolid/production: the fleet view does not read s3 state (storm status valladolid --env production does)',
      '  broken: stacks/broken.yaml: 2 errors',
    ]);
  });

  it('ages read at a glance', () => {
    expect([0, 4, 42, 60, 3599, 3600, 86_399, 86_400 * 12].map(ageText)).toEqual([
      'just now',
      'just now',
      '42s ago',
      '1m ago',
      '59m ago',
      '1h ago',
      '23h ago',
      '12d ago',
    ]);
  });
});
