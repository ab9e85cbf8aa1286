// Generates N distinct, valid city manifests (deterministic: the same N gives
// the same files). tests/bench validates 1,000 of them; the manifest tests
// check that every one of them is valid.

const COUNTRIES = [
  ['ES', ['es', 'en']],
  ['PT', ['pt', 'en']],
  ['GR', ['el', 'en']],
  ['FR', ['fr', 'en']],
  ['IT', ['it', 'en']],
  ['DE', ['de', 'en']],
  ['PL', ['pl', 'en']],
  ['HU', ['hu', 'en']],
  ['NL', ['nl', 'en']],
  ['FI', ['fi', 'sv', 'en']],
];
const TEMPLATES = ['urbanismo-en-red', 'virtual-city-marketplace', 'participa'];
const FLAVORS = ['m1.tiny', 'm1.small', 'm1.medium', 'm1.large', 'm1.xlarge'];
const IMAGES = ['debian-12', 'ubuntu-24.04'];

/** A small deterministic PRNG (mulberry32), so runs are comparable. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** @returns {{ name: string, text: string }} */
export function generateManifest(i) {
  const rnd = random(i + 1);
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const name = `city-${String(i).padStart(4, '0')}`;
  const [country, languages] = COUNTRIES[i % COUNTRIES.length];
  // 10.A.B.0/20 networks: distinct for the first 4,096 cities.
  const a = Math.floor(i / 16) % 256;
  const b = (i % 16) * 16;
  const subnetCount = 1 + (i % 3);
  const subnets = Array.from({ length: subnetCount }, (_, s) => ({
    name: ['web', 'app', 'data'][s],
    cidr: `10.${a}.${b + s}.0/24`,
  }));
  const template = TEMPLATES[i % TEMPLATES.length];
  const webCount = 1 + Math.floor(rnd() * 2);
  const prodCount = webCount + 1 + Math.floor(rnd() * 2);
  const withDb = subnetCount === 3;
  const lines = [
    '# yaml-language-server: $schema=../src/manifest/city-manifest.schema.json',
    `# Generated city ${i} (tests/manifest/generate-manifests.mjs).`,
    'apiVersion: storm/v1',
    'city:',
    `  name: ${name}`,
    `  displayName: Generated City ${i}`,
    `  country: ${country}`,
    `  languages: [${languages.join(', ')}]`,
    `  owner: { team: it-${name}, email: it@${name}.example.org }`,
    'tags:',
    `  owner: it-${name}`,
    `  cost-centre: GEN-${String(i).padStart(4, '0')}`,
    `  data-classification: ${template === 'urbanismo-en-red' ? 'public' : 'personal'}`,
    'cloud:',
    '  name: sandbox',
    '  externalNetwork: public',
    'network:',
    `  cidr: 10.${a}.${b}.0/20`,
    '  subnets:',
    ...subnets.flatMap((s) => [`    - name: ${s.name}`, `      cidr: ${s.cidr}`]),
    'security:',
    `  adminCidrs: [198.51.100.${(i % 32) * 8}/29]`,
    '  groups:',
    '    - name: web',
    '      rules:',
    '        - { direction: ingress, protocol: tcp, ports: 8080, remote: 0.0.0.0/0 }',
    '        - { direction: ingress, protocol: tcp, ports: 22, remote: admin }',
    ...(withDb
      ? [
          '    - name: db',
          '      rules:',
          '        - { direction: ingress, protocol: tcp, ports: 5432, remoteGroup: web }',
        ]
      : []),
    'compute:',
    '  groups:',
    '    - name: web',
    `      flavor: ${pick(FLAVORS.slice(0, 3))}`,
    `      image: ${pick(IMAGES)}`,
    `      count: ${webCount}`,
    `      subnet: ${subnets[0].name}`,
    '      securityGroups: [web]',
    '      floatingIp: true',
    `      antiAffinity: ${webCount > 1}`,
    ...(withDb
      ? [
          '    - name: db',
          `      flavor: ${pick(FLAVORS.slice(2))}`,
          `      image: ${pick(IMAGES)}`,
          '      subnet: data',
          '      securityGroups: [db]',
          '      volumes: [pgdata]',
        ]
      : []),
    'storage:',
    '  volumes:',
    `    - { name: pgdata, size: ${10 + (i % 5) * 10}, type: ${template === 'urbanismo-en-red' ? 'standard' : 'encrypted'} }`,
    '  containers:',
    `    - { name: ${name}-documents, acl: private, versioning: ${i % 2 === 0} }`,
    ...(i % 5 === 0
      ? [
          'partners:',
          `  - name: university-${i}`,
          '    kind: public',
          `    project: research-${i}`,
          '    access:',
          `      - { container: ${name}-documents, mode: read }`,
        ]
      : []),
    ...(i % 4 === 0
      ? [
          'waivers:',
          `  - { rule: STORM-DATA-004, target: storage.containers.${name}-documents, reason: documents are re-exported nightly from the records system, approvedBy: ciso@${name}.example.org, expires: 2027-06-30 }`,
        ]
      : []),
    'services:',
    `  - template: ${template}`,
    '    on: web',
    '    parameters: {}',
    'environments:',
    '  preprod: {}',
    '  production:',
    '    compute:',
    '      groups:',
    `        web: { count: ${prodCount}, flavor: ${pick(FLAVORS.slice(2))}, antiAffinity: true }`,
    ...(i % 7 === 0
      ? [
          '  training:',
          '    description: Courses for the city staff',
          '    compute:',
          '      groups:',
          '        web: { count: 1, flavor: m1.tiny }',
        ]
      : []),
    '',
  ];
  return { name, text: lines.join('\n') };
}

/** @returns {{ name: string, text: string }[]} */
export function generateManifests(n) {
  return Array.from({ length: n }, (_, i) => generateManifest(i));
}
