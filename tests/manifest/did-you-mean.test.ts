import { describe, expect, it } from 'vitest';
import { closestMatch, editDistance } from '../../src/manifest/did-you-mean';

describe('did-you-mean', () => {
  it('measures edits, transpositions included', () => {
    expect(editDistance('flavour', 'flavor')).toBe(1);
    expect(editDistance('ingerss', 'ingress')).toBe(1);
    expect(editDistance('abc', 'abc')).toBe(0);
  });

  it('suggests only close candidates', () => {
    expect(closestMatch('flavour', ['flavor', 'image', 'count'])).toBe('flavor');
    expect(closestMatch('es', ['ES', 'PT'])).toBe('ES');
    expect(closestMatch('postgres', ['local', 'pg', 's3', 'http'])).toBeUndefined();
  });
});
