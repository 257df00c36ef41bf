// The permalink: the page's address carries what is shown, so that reloading or sharing it gives
// the same answer. `?lat=…&lon=…&z=…` for a point, `?parcelle=…&lat=…&lon=…&z=…` for a parcel
// (the point is kept so the marker returns where it was), `&adresse=…` for the chosen label.
// A drawn project is in the fragment, `#emprise=lon,lat;lon,lat;…` (its ring, not closed, six
// decimals: 0.1 m): a fragment is never sent to a server, and a long polygon has no length limit
// to meet there.

/** Decimals of the coordinates of a footprint in the permalink. */
const DECIMALS = 6;

/** The ring of `#emprise=…`: three [lon, lat] positions at least, in range, or null. */
function readFootprint(hash) {
  const m = /(?:^#|&)emprise=([^&]*)/.exec(hash);
  if (!m) return null;
  const ring = decodeURIComponent(m[1]).split(';').map((pair) => pair.split(',').map(Number));
  const ok = ring.length >= 3 && ring.every((p) => p.length === 2 && p.every(Number.isFinite)
    && Math.abs(p[0]) <= 180 && Math.abs(p[1]) <= 90);
  return ok ? ring : null;
}

/** What the current address asks for, or null. */
export function readPermalink() {
  const p = new URLSearchParams(location.search);
  const num = (k) => {
    const v = p.get(k);
    const x = v === null || v.trim() === '' ? NaN : Number(v);
    return Number.isFinite(x) ? x : null;
  };
  const lat = num('lat');
  const lon = num('lon');
  const zoom = num('z');
  const parcel = (p.get('parcelle') || '').trim().toUpperCase() || null;
  const point = lat !== null && lon !== null && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? { lat, lon } : null;
  const footprint = readFootprint(location.hash);
  if (!point && !parcel && !footprint) return null;
  return {
    point, parcel, footprint, zoom: zoom !== null ? Math.max(3, Math.min(20, Math.round(zoom))) : null, label: p.get('adresse'),
  };
}

/** Rewrites the address (without a new history entry) for the state shown; `footprint`: the ring
 *  of the project analysed, [[lon, lat], …]. */
export function writePermalink({ point, parcel, zoom, label, footprint }) {
  const p = new URLSearchParams(location.search);
  for (const k of ['lat', 'lon', 'z', 'parcelle', 'adresse']) p.delete(k);
  if (parcel) p.set('parcelle', parcel);
  if (point) {
    p.set('lat', point.lat.toFixed(6));
    p.set('lon', point.lon.toFixed(6));
  }
  if (zoom !== null && zoom !== undefined) p.set('z', String(zoom));
  if (label) p.set('adresse', label);
  const hash = footprint ? `#emprise=${footprint.map((q) => q.map((x) => x.toFixed(DECIMALS)).join(',')).join(';')}` : '';
  const url = `${location.pathname}?${p}${hash}`;
  history.replaceState(null, '', url);
  return location.href;
}
