/** Test helper: N distinct valid manifests (the implementation is plain JS so tests/bench can import it too). */
export { generateManifest, generateManifests } from './generate-manifests.mjs';
