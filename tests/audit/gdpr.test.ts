import { describe, expect, it } from 'vitest';
import { gdprRecord } from '../../src/audit/gdpr';
import type { CityManifest } from '../../src/manifest/city-manifest.types';
import { loadCity } from '../../src/manifest/load';
import { gdprRecordFor } from '../../src/lifecycle/gdpr';
import { renderGdprText } from '../../src/report/gdpr';
import { conforms } from '../support/json-schema';
import { REPO_ROOT, jsonResult, storm, withoutCloud } from '../support/storm';

describe('the record of processing activities (GDPR Art. 30)', () => {
  it.each(['agueda', 'valladolid', 'thessaloniki'])('%s: validates against audit-gdpr.v1', (city) => {
    const record = gdprRecordFor(city, REPO_ROOT);
    conforms('audit-gdpr.v1.schema.json', {
      schemaVersion: 1,
      command: 'audit',
      ok: true,
      exitCode: 0,
      result: record,
    });
  });

  it("names Águeda's controller, DPO, encrypted volume, partner and region in each environment", () => {
    const r = gdprRecordFor('agueda', REPO_ROOT);
    expect(r.controller).toEqual({
      name: 'Município de Águeda',
      country: 'PT',
      owner: { team: 'Divisão de Sistemas de Informação', email: 'dsi@cm-agueda.pt' },
    });
    expect(r.dataProtectionOfficer).toEqual({
      name: 'Encarregado de Proteção de Dados',
      email: 'epd@cm-agueda.pt',
      role: 'dpo',
    });
    expect(r.dataClassification).toBe('personal');
    expect(r.environments.map((e) => e.env)).toEqual(['preprod', 'production']);
    const production = r.environments[1];
    expect(production?.region).toBe('RegionOne');
    expect(production?.processing).toEqual([
      expect.objectContaining({
        service: 'participa',
        personalData: true,
        runsOn: { group: 'app', instances: 2 },
        volumes: ['participa-data'],
      }),
    ]);
    expect(production?.volumesWithPersonalData).toEqual([
      expect.objectContaining({
        name: 'participa-data',
        sizeGb: 20,
        type: 'encrypted',
        encrypted: true,
        attachedTo: ['app'],
      }),
    ]);
    expect(production?.recipients).toEqual([
      expect.objectContaining({
        name: 'universidade-aveiro',
        kind: 'public',
        access: [{ container: 'research-extracts', mode: 'read' }],
      }),
    ]);
    expect(production?.security.unencryptedPersonalDataVolumes).toEqual([]);
    expect(renderGdprText(r)).toContain(
      'Data protection officer:  Encarregado de Proteção de Dados <epd@cm-agueda.pt>',
    );
  });

  it('flags a personal-data volume that is not encrypted and a manifest without a DPO', () => {
    const doc = structuredClone(loadCity('agueda', { cwd: REPO_ROOT }).doc) as CityManifest;
    doc.city.contacts = (doc.city.contacts ?? []).filter((c) => c.role !== 'dpo');
    const volume = doc.storage?.volumes?.[0];
    if (volume === undefined) throw new Error('agueda has a volume');
    volume.type = 'standard';
    const r = gdprRecord(doc, 'stacks/agueda.yaml', [], { encryptedVolumeTypes: [] });
    expect(r.dataProtectionOfficer).toBeNull();
    expect(r.environments[0]?.volumesWithPersonalData[0]?.encrypted).toBe(false);
    expect(r.environments[0]?.security.unencryptedPersonalDataVolumes).toEqual(['participa-data']);
    const text = renderGdprText(r);
    expect(text).toContain('none named (add a contact with role: dpo)');
    expect(text).toContain('NOT ENCRYPTED');
  });

  it('storm audit valladolid --gdpr --json prints one document that validates against the versioned schema', () => {
    const r = storm(['audit', 'valladolid', '--gdpr', '--json'], { env: withoutCloud() });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    conforms('audit-gdpr.v1.schema.json', doc);
    expect((jsonResult(r) as { controller: { country: string } }).controller.country).toBe('ES');
  });

  it('storm audit --gdpr without a city is a usage error', () => {
    const r = storm(['audit', '--gdpr'], { env: withoutCloud() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('name the city whose record of processing activities to print');
  });
});
