/**
 * Draws a plan's GeoJSON polygon as inline SVG: instances have no internet, so
 * there are no map tiles; an equirectangular projection scaled by cos(lat) is
 * accurate enough at the scale of a city district.
 */
import type { PolygonGeometry } from './plans';

const SIZE = 480;
const PAD = 24;

export function polygonSvg(area: PolygonGeometry, label: string): string {
  const outer = area.coordinates[0] ?? [];
  if (outer.length === 0) return '';
  const lats = outer.map((p) => p[1]);
  const lons = outer.map((p) => p[0]);
  const midLat = (Math.min(...lats) + Math.max(...lats)) / 2;
  const kx = Math.cos((midLat * Math.PI) / 180);
  const xs = lons.map((l) => l * kx);
  const minX = Math.min(...xs);
  const maxY = Math.max(...lats);
  const w = Math.max(...xs) - minX || 1e-6;
  const h = maxY - Math.min(...lats) || 1e-6;
  const scale = (SIZE - 2 * PAD) / Math.max(w, h);
  const toXY = (p: [number, number]): string =>
    `${(PAD + (p[0] * kx - minX) * scale).toFixed(1)},${(PAD + (maxY - p[1]) * scale).toFixed(1)}`;
  const rings = area.coordinates.map((ring) => `M${ring.map(toXY).join('L')}Z`).join(' ');
  const esc = label.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  return (
    `<svg class="map" viewBox="0 0 ${SIZE} ${SIZE}" role="img" aria-label="${esc}" xmlns="http://www.w3.org/2000/svg">` +
    `<title>${esc}</title>` +
    `<defs><pattern id="grid" width="40" height="40" patternUnits="userSpaceOnUse"><path d="M40 0H0V40" fill="none" stroke="#d9dfd2" stroke-width="1"/></pattern></defs>` +
    `<rect width="${SIZE}" height="${SIZE}" fill="url(#grid)"/>` +
    `<path d="${rings}" fill="#0b4f8a" fill-opacity="0.25" stroke="#0b4f8a" stroke-width="3" fill-rule="evenodd"/>` +
    `<text x="${SIZE - PAD}" y="${SIZE - 8}" text-anchor="end" font-size="12" fill="#4a4a4a">N ↑</text>` +
    `</svg>`
  );
}
