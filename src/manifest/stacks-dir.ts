/** Manifests live in <project>/stacks/<city>.yaml. */
export const STACKS_DIR = 'stacks';
