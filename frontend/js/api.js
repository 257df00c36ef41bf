// Calls to the urbaclic service. Every call takes an AbortSignal so that a newer request (typing,
// panning) cancels the one it replaces; errors carry the service's French message.

export class ApiError extends Error {
  constructor(message, status, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function getJson(url, signal, init = {}) {
  let res;
  try {
    res = await fetch(url, { signal, ...init, headers: { Accept: 'application/json', ...init.headers } });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError('Le service ne répond pas. Vérifiez qu\'urbaclic est lancé.', 0, 'network');
  }
  let body = null;
  try {
    body = await res.json();
  } catch {
    // A non-JSON body (proxy error page…): reported below with the status.
  }
  if (!res.ok) {
    const msg = body && body.message ? body.message : `Erreur ${res.status} du service`;
    throw new ApiError(msg, res.status, body && body.error);
  }
  return body;
}

/** Everything that applies at a point. */
export function lookupPoint(lat, lon, signal) {
  const p = new URLSearchParams({ lat: lat.toFixed(7), lon: lon.toFixed(7) });
  return getJson(`api/lookup?${p}`, signal);
}

/** Everything that applies to a parcel, by its 14-character id. */
export function lookupParcel(id, signal) {
  return getJson(`api/lookup?${new URLSearchParams({ parcel: id })}`, signal);
}

/** Everything that applies to a project footprint (a GeoJSON Polygon), with each zone's share. */
export function lookupFootprint(geometry, signal) {
  return getJson('api/lookup', signal, {
    method: 'POST', body: JSON.stringify(geometry), headers: { 'Content-Type': 'application/json' },
  });
}

/** Address suggestions (BAN-compatible /search/), favouring those near `near` ({lat, lon}) if given. */
export function searchAddress(q, signal, near = null, limit = 7) {
  const p = new URLSearchParams({ q, autocomplete: '1', limit: String(limit) });
  if (near) {
    p.set('lat', near.lat.toFixed(5));
    p.set('lon', near.lon.toFixed(5));
  }
  return getJson(`search/?${p}`, signal);
}

/** Loaded parcels a typed cadastral reference designates (`/api/parcels`): `{reference, total, parcels}`. */
export function searchParcels(q, signal, limit = 5) {
  return getJson(`api/parcels?${new URLSearchParams({ q, limit: String(limit) })}`, signal);
}

/** The layers the map can draw, bottom first: `{layers: [{name, label, style, default_on, min_zoom?, colour?}]}`. */
export function layerCatalog(signal) {
  return getJson('api/catalog', signal);
}

/** The dataset's features in a view, per layer. */
export function layersIn(bounds, zoom, names, signal) {
  const bbox = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
    .map((x, i) => Math.max(i % 2 ? -90 : -180, Math.min(i % 2 ? 90 : 180, x)).toFixed(6))
    .join(',');
  const p = new URLSearchParams({ bbox, zoom: String(Math.round(zoom)), layers: names.join(',') });
  return getJson(`api/layers?${p}`, signal);
}
