// Page settings. The page needs no basemap: every layer it draws comes from the service's own data,
// so it works with no internet access. Raster basemaps come from the server configuration
// (`[[basemap]]`, published in GET /api/catalog `basemaps`, none by default) and are offered in the
// map's layer control; one more can be given by URL template, `?fond=https://…/{z}/{x}/{y}.png`
// in the address (remembered in this browser; `?fond=aucun` forgets it).

const CUSTOM_KEY = 'urbaclic.fond';
const CHOICE_KEY = 'urbaclic.fond.choix';

/** Name of the "no basemap" choice of the layer control: the data on a neutral background. */
export const NO_BASEMAP = 'Sans fond de carte (données seules)';

/** Name of the basemap given by `?fond=`. */
const CUSTOM_NAME = 'Fond donné dans l\'adresse';

function storage(f, fallback) {
  try {
    return f(localStorage);
  } catch {
    // Storage can be disabled (private mode): nothing is remembered.
    return fallback;
  }
}

/** The template given by `?fond=` (or remembered from an earlier visit), or null. */
function customTemplate() {
  const fromUrl = new URLSearchParams(location.search).get('fond');
  if (fromUrl === 'aucun') {
    storage((s) => s.removeItem(CUSTOM_KEY));
    return null;
  }
  if (fromUrl && /^https?:\/\/.+\{z\}.*/.test(fromUrl)) {
    storage((s) => s.setItem(CUSTOM_KEY, fromUrl));
    return fromUrl;
  }
  return storage((s) => s.getItem(CUSTOM_KEY), null);
}

/**
 * The basemaps offered: the configured ones (`{name, url, attribution, max_zoom}`), then the one
 * of `?fond=`, if any.
 * @param {Array<{name: string, url: string, attribution: string, max_zoom: number}>} configured
 */
export function basemaps(configured) {
  const list = [...(configured || [])];
  const custom = customTemplate();
  if (custom) list.push({ name: CUSTOM_NAME, url: custom, attribution: 'Fond de carte donné dans l\'adresse de la page', max_zoom: 20 });
  return list;
}

/** The basemap to show first: the one chosen last in this browser if it is still offered, else
 *  the one given in the address, else the first configured one, else none. */
export function initialBasemap(names) {
  if (new URLSearchParams(location.search).get('fond') && names.includes(CUSTOM_NAME)) return CUSTOM_NAME;
  const last = storage((s) => s.getItem(CHOICE_KEY), null);
  if (last === NO_BASEMAP || names.includes(last)) return last;
  return names[0] || NO_BASEMAP;
}

/** Remembers the basemap chosen in the layer control. */
export function rememberBasemap(name) {
  storage((s) => s.setItem(CHOICE_KEY, name));
}

/** Initial view when nothing is asked for: metropolitan France. */
export const FRANCE_BOUNDS = [[41.2, -5.3], [51.2, 9.7]];

/** Zoom used when an address is chosen. */
export const ADDRESS_ZOOM = 18;
