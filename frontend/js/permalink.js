// The permalink: the page's address carries what is shown, so that reloading or sharing it gives
// the same answer. `?lat=…&lon=…&z=…` for a point, `?parcelle=…&lat=…&lon=…&z=…` for a parcel
// (the point is kept so the marker returns where it was), `&adresse=…` for the chosen label.

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
  if (!point && !parcel) return null;
  return { point, parcel, zoom: zoom !== null ? Math.max(3, Math.min(20, Math.round(zoom))) : null, label: p.get('adresse') };
}

/** Rewrites the address (without a new history entry) for the state shown. */
export function writePermalink({ point, parcel, zoom, label }) {
  const p = new URLSearchParams(location.search);
  for (const k of ['lat', 'lon', 'z', 'parcelle', 'adresse']) p.delete(k);
  if (parcel) p.set('parcelle', parcel);
  if (point) {
    p.set('lat', point.lat.toFixed(6));
    p.set('lon', point.lon.toFixed(6));
  }
  if (zoom !== null && zoom !== undefined) p.set('z', String(zoom));
  if (label) p.set('adresse', label);
  const url = `${location.pathname}?${p}`;
  history.replaceState(null, '', url);
  return location.href;
}
