// Page settings. The page needs no basemap: every layer it draws comes from the service's own data,
// so it works with no internet access. A raster basemap can be added by URL template, either with
// `?fond=https://…/{z}/{x}/{y}.png` in the address (remembered in this browser) or by editing
// DEFAULT_BASEMAP below; `?fond=aucun` removes it again.

const DEFAULT_BASEMAP = null;
const STORAGE_KEY = 'urbaclic.fond';

/** The raster basemap template to use, or null. */
export function basemapUrl() {
  const fromUrl = new URLSearchParams(location.search).get('fond');
  try {
    if (fromUrl === 'aucun') {
      localStorage.removeItem(STORAGE_KEY);
      return null;
    }
    if (fromUrl && /^https?:\/\/.+\{z\}.*/.test(fromUrl)) {
      localStorage.setItem(STORAGE_KEY, fromUrl);
      return fromUrl;
    }
    return localStorage.getItem(STORAGE_KEY) || DEFAULT_BASEMAP;
  } catch {
    // Storage can be disabled (private mode): fall back to the address only.
    return fromUrl && fromUrl !== 'aucun' ? fromUrl : DEFAULT_BASEMAP;
  }
}

/** Initial view when nothing is asked for: metropolitan France. */
export const FRANCE_BOUNDS = [[41.2, -5.3], [51.2, 9.7]];

/** Zoom used when an address is chosen. */
export const ADDRESS_ZOOM = 18;
