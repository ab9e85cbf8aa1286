/**
 * `storm audit <city> --gdpr`: the record of processing activities the
 * city's manifest implies, with the templates it runs and the project's
 * policy config (which volume types count as encrypted).
 */
import { type GdprRecord, gdprRecord } from '../audit/gdpr';
import { loadPolicyConfig } from '../audit/policy-config';
import { loadCity } from '../manifest/load';
import { loadTemplateCatalog } from '../manifest/templates';

export function gdprRecordFor(cityRef: string, cwd: string): GdprRecord {
  const loaded = loadCity(cityRef, { cwd });
  const templates = loadTemplateCatalog(cwd).templates.map((t) => t.definition);
  return gdprRecord(loaded.doc, loaded.file, templates, loadPolicyConfig(cwd));
}
