import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApplyTally, LineSplitter, parseUiLine } from '../../src/engine/ui-stream';
import {
  maskOutputs,
  parseLockError,
  parseState,
  pgCreationLockKey,
  pgSchemaName,
  withApplicationName,
} from '../../src/engine/state';
import { textDiagnostics, uiDiagnostics } from '../../src/engine/plan';

const fixture = (name: string): string => fs.readFileSync(path.join(__dirname, 'fixtures', 'lifecycle', name), 'utf8');

describe('tofu -json UI stream', () => {
  it('tallies a real apply stream (tofu 1.12.6)', () => {
    const tally = new ApplyTally(2);
    for (const line of fixture('apply-terraform-data.jsonl').split('\n')) {
      const ev = parseUiLine(line);
      if (ev !== undefined) tally.apply(ev);
    }
    expect(tally.done).toBe(2);
    expect(tally.finished.map((f) => [f.address, f.action, f.ok])).toEqual([
      ['terraform_data.a', 'create', true],
      ['terraform_data.b', 'create', true],
    ]);
    expect(tally.inFlight.size).toBe(0);
    expect(tally.summary).toEqual({ add: 2, change: 0, remove: 0, operation: 'apply' });
    expect(tally.outputs).toEqual({
      secret: { sensitive: true },
      url: { sensitive: false, value: 'http://10.0.0.1/' },
    });
  });

  it('parses apply_errored and diagnostics with an address', () => {
    const errored = parseUiLine(
      '{"type":"apply_errored","hook":{"resource":{"addr":"openstack_compute_instance_v2.web_0"},"action":"create","elapsed_seconds":3}}',
    );
    expect(errored).toEqual({
      type: 'apply_errored',
      address: 'openstack_compute_instance_v2.web_0',
      action: 'create',
      elapsedSeconds: 3,
    });
    const diag = uiDiagnostics(
      '{"type":"diagnostic","diagnostic":{"severity":"error","summary":"Error creating OpenStack server","detail":"Quota exceeded for cores","address":"openstack_compute_instance_v2.web_0"}}\n',
    );
    expect(diag).toEqual([
      {
        severity: 'error',
        summary: 'Error creating OpenStack server',
        detail: 'Quota exceeded for cores',
        address: 'openstack_compute_instance_v2.web_0',
      },
    ]);
  });

  it('keeps non-JSON lines as log events and splits chunks on newlines', () => {
    expect(parseUiLine('panic: oops')).toEqual({ type: 'log', level: 'info', message: 'panic: oops' });
    expect(parseUiLine('   ')).toBeUndefined();
    const s = new LineSplitter();
    expect(s.push('{"a":1}\n{"b"')).toEqual(['{"a":1}']);
    expect(s.push(':2}\n')).toEqual(['{"b":2}']);
    expect(s.end()).toEqual([]);
  });
});

describe('state lock errors', () => {
  it('names the holder from a real lock diagnostic', () => {
    const diags = uiDiagnostics(fixture('plan-state-locked.jsonl'));
    expect(diags).toHaveLength(1);
    const info = parseLockError(`${diags[0]?.summary}\n${diags[0]?.detail}`);
    expect(info).toEqual({
      id: '9e65abce-ced1-0cce-cefc-099ccfe4ab9f',
      who: 'root@vm',
      operation: 'OperationTypeApply',
      created: '2026-11-29 02:47:21.601138255 +0000 UTC',
      path: 'terraform.tfstate',
    });
  });

  it('reads text diagnostics too', () => {
    const d = textDiagnostics('\nError: Failed to query available provider packages\n\nCould not retrieve the list\n');
    expect(d).toEqual([
      {
        severity: 'error',
        summary: 'Failed to query available provider packages',
        detail: 'Could not retrieve the list',
      },
    ]);
    expect(parseLockError('Error: something else')).toBeUndefined();
  });
});

describe('state', () => {
  it('lists instance addresses and masks sensitive outputs', () => {
    const s = parseState(
      JSON.stringify({
        version: 4,
        serial: 7,
        lineage: 'l-1',
        outputs: {
          url: { value: 'http://x', type: 'string' },
          pw: { value: 'canary', type: 'string', sensitive: true },
        },
        resources: [
          {
            mode: 'managed',
            type: 'openstack_compute_instance_v2',
            name: 'web',
            instances: [
              { index_key: 0, attributes: { id: 'i0', name: 'web-0' } },
              { index_key: 1, attributes: { id: 'i1', name: 'web-1' } },
            ],
          },
          {
            mode: 'data',
            type: 'openstack_networking_network_v2',
            name: 'ext',
            instances: [{ attributes: { id: 'n' } }],
          },
          {
            mode: 'managed',
            type: 'openstack_objectstorage_container_v1',
            name: 'docs',
            instances: [{ index_key: 'a', attributes: { id: 'docs' } }],
          },
        ],
      }),
    );
    expect(s.serial).toBe(7);
    expect(s.addresses).toEqual([
      'openstack_compute_instance_v2.web[0]',
      'openstack_compute_instance_v2.web[1]',
      'openstack_objectstorage_container_v1.docs["a"]',
    ]);
    expect(maskOutputs(s.outputs)).toEqual({ pw: '(sensitive)', url: 'http://x' });
    expect(parseState('').serial).toBe(0);
  });
});

describe('pg backend helpers', () => {
  it('names the connection storm hands tofu, in URL and key=value form', () => {
    expect(withApplicationName('postgres://u:p@db:5432/storm?sslmode=disable', 'storm ci@runner pid 7')).toBe(
      'postgres://u:p@db:5432/storm?sslmode=disable&application_name=storm+ci%40runner+pid+7',
    );
    expect(withApplicationName('host=db dbname=storm', 'storm ci@runner pid 7')).toBe(
      "host=db dbname=storm application_name='storm ci@runner pid 7'",
    );
  });

  it('computes the creation-lock key as tofu does (-FNV-1 32 of schema NUL table) and a schema per stack', () => {
    // Checked against Go's hash/fnv New32 (FNV-1, the same function OpenTofu calls).
    expect(pgCreationLockKey('storm_agueda_preprod')).toBe(-298030349n);
    expect(pgSchemaName('agueda', 'preprod')).toBe('storm_agueda_preprod');
    expect(pgSchemaName('São-Paulo', 'pre.prod')).toBe('storm_s_o_paulo_pre_prod');
  });
});
