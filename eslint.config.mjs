import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/*
 * storm's map (ARCHITECTURE.md), enforced: folders are stages and imports flow one way,
 *   cli → lifecycle → {engine, deploy, audit, synth, cloud} → manifest → leaves (src/*.ts),
 * with report/ (pure renderers) beside cli and sandbox/ apart; and each side effect has one
 * door. tests/lint/layering.test.ts shows that every rule here bites.
 */

/** What each folder of src/ must not import (relative imports of another top folder). */
const LAYERS = {
  cli: [],
  report: ['cli', 'lifecycle'],
  lifecycle: ['cli', 'report'],
  engine: ['cli', 'report', 'lifecycle', 'deploy', 'audit', 'synth', 'cloud', 'sandbox'],
  deploy: ['cli', 'report', 'lifecycle', 'engine', 'audit', 'sandbox'],
  audit: ['cli', 'report', 'lifecycle', 'deploy', 'cloud', 'sandbox'],
  synth: ['cli', 'report', 'lifecycle', 'engine', 'deploy', 'audit', 'cloud', 'sandbox'],
  cloud: ['cli', 'report', 'lifecycle', 'engine', 'deploy', 'audit', 'synth', 'sandbox'],
  manifest: ['cli', 'report', 'lifecycle', 'engine', 'deploy', 'audit', 'synth', 'cloud', 'sandbox'],
  sandbox: ['cli', 'report', 'lifecycle', 'engine', 'audit', 'synth', 'cloud', 'manifest'],
};
const FOLDERS = Object.keys(LAYERS);

/** Modules with one door each: only the listed files may import them. */
const DOORS = [
  {
    paths: ['execa', 'child_process', 'node:child_process'],
    allowed: ['src/engine/tofu.ts', 'src/sandbox/control.ts', 'src/sandbox/service-runner.ts'],
    message: "subprocesses only through the engine's door (engine/tofu.ts: runTofu, runTool) or the sandbox's control",
  },
  {
    paths: ['chalk'],
    allowed: ['src/report/**', 'src/cli/output.ts'],
    message: 'colour belongs to report/ and cli/output.ts; the core returns data',
  },
  {
    paths: ['cdktf', 'constructs'],
    allowed: ['src/synth/cdktf.ts', 'src/synth/gen/**'],
    message: 'cdktf only through synth/cdktf.ts (ADR-2: the move to cdktn is one line)',
  },
];

/** The folder a src/ file belongs to, or undefined for a leaf (src/*.ts). */
function layerOf(glob) {
  const m = /^src\/([^/*]+)\//.exec(glob);
  return m === null ? undefined : m[1];
}

function restrictedImports(layer, openDoors) {
  const forbidden = layer === undefined ? FOLDERS : LAYERS[layer];
  const patterns = forbidden.map((folder) => ({
    // A relative import of src/<folder>/: ./<folder>/... from a leaf, ../<folder>/... (or deeper) from a folder.
    regex: layer === undefined ? `^\\./${folder}(/|$)` : `^(\\.\\./)+${folder}(/|$)`,
    message:
      layer === undefined
        ? `src/*.ts are leaves: they import no folder of src/ (${folder}/ here)`
        : `${layer}/ does not import ${folder}/: imports flow cli → lifecycle → {engine, deploy, audit, synth, cloud} → manifest → leaves (ARCHITECTURE.md)`,
  }));
  const paths = DOORS.filter((d) => !openDoors.includes(d)).flatMap((d) =>
    d.paths.map((name) => ({ name, message: d.message })),
  );
  return ['error', { paths, patterns }];
}

function doorsAndLayers() {
  const configs = [];
  const groups = [...FOLDERS.map((f) => `src/${f}/**/*.ts`), 'src/*.ts'];
  for (const files of groups) {
    const layer = layerOf(files);
    configs.push({ files: [files], rules: { 'no-restricted-imports': restrictedImports(layer, []) } });
  }
  // A door's own files: the same layering, that one module allowed (later entries win).
  for (const door of DOORS)
    for (const allowed of door.allowed)
      configs.push({
        files: [allowed],
        rules: { 'no-restricted-imports': restrictedImports(layerOf(allowed), [door]) },
      });
  configs.push({
    files: ['src/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        ...['stdout', 'stderr'].map((property) => ({
          object: 'process',
          property,
          message: 'stdout and stderr only through cli/output.ts (Output); the core reports through Progress',
        })),
      ],
    },
  });
  configs.push({
    // The sandbox is a program apart, with its own errors; the core throws only StormError.
    files: ['src/**/*.ts'],
    ignores: ['src/sandbox/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ThrowStatement > NewExpression[callee.name='Error']",
          message: 'throw a StormError (code, message, hint): src/errors.ts',
        },
      ],
    },
  });
  configs.push({
    // Every call to a cloud goes through its transport (cloud/transport.ts over src/http-fetch.ts), so
    // cacert, cert/key and insecure apply to all of them. Health checks open the instances' own URLs,
    // and the sandbox is a program apart.
    files: ['src/**/*.ts'],
    ignores: ['src/sandbox/**', 'src/deploy/health-check.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        {
          name: 'fetch',
          message:
            "reach a cloud through its transport (OpenStackClient's get/post/fetch, cloud/transport.ts cloudFetch) so its TLS settings apply",
        },
      ],
    },
  });
  configs.push({
    // The one door to the terminal; and the sandbox's own program (a server apart, with its own log).
    files: ['src/cli/output.ts', 'src/sandbox/main.ts'],
    rules: { 'no-restricted-properties': 'off' },
  });
  return configs;
}

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.storm/**',
      'test-results/**',
      'src/synth/gen/**',
      'src/manifest/gen/**',
      'coverage/**',
      '**/*.d.ts',
      'templates/*/dist/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.mjs', 'bin/*', '**/*.cjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        require: 'readonly',
        __dirname: 'readonly',
        module: 'writable',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // A test that cannot run fails; it never skips itself (npm test installs what tests need first).
    files: ['tests/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['describe', 'it', 'test'].flatMap((object) =>
          ['skip', 'skipIf', 'runIf', 'todo', 'only'].map((property) => ({
            object,
            property,
            message: 'a test that cannot run must fail, not skip: npm test prepares what tests need',
          })),
        ),
      ],
    },
  },
  ...doorsAndLayers(),
);
