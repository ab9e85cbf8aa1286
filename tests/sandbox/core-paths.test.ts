/** src/sandbox/core/paths.ts with literal inputs: what the runner and the services derive from ids. */
import { describe, expect, it } from 'vitest';
import { PathEscapeError, isSafeSegment, pathInside, relativePathInside } from '../../src/sandbox/core/paths';

const ROOT = '/srv/sandbox/data';

describe('pathInside', () => {
  it('joins safe segments below the root', () => {
    expect(pathInside(ROOT, 'volume id', 'volumes', '0b6a5b3e-7c1d-4e8a-9f00-1a2b3c4d5e6f')).toBe(
      '/srv/sandbox/data/volumes/0b6a5b3e-7c1d-4e8a-9f00-1a2b3c4d5e6f',
    );
  });

  it.each([['..'], ['.'], [''], ['../../etc'], ['a/b'], ['a\\b'], ['x\0y'], ['/etc/passwd']])(
    'refuses the volume id %j',
    (id) => {
      expect(() => pathInside(ROOT, 'volume id', 'volumes', id)).toThrow(PathEscapeError);
    },
  );

  it('refuses the root itself', () => {
    expect(() => pathInside(ROOT, 'release version', '.')).toThrow('Invalid release version');
  });
});

describe('relativePathInside', () => {
  it('takes a forward-slash path of safe segments', () => {
    expect(relativePathInside(ROOT, 'entry', 'dist/app/main.js')).toBe('/srv/sandbox/data/dist/app/main.js');
  });
  it.each([['/etc/passwd'], ['../x.js'], ['dist/../../x.js'], ['dist//main.js'], ['./main.js']])(
    'refuses the entry %j',
    (entry) => {
      expect(() => relativePathInside(ROOT, 'entry', entry)).toThrow(PathEscapeError);
    },
  );
});

describe('isSafeSegment', () => {
  it('is true for ids and versions, false for anything that is not one directory entry', () => {
    expect(['1.0.0', 'abc-123', '..x', 'x..'].map(isSafeSegment)).toEqual([true, true, true, true]);
    expect(['..', '.', '', 'a/b'].map(isSafeSegment)).toEqual([false, false, false, false]);
  });
});
