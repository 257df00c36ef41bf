// Small DOM and formatting helpers shared by the modules (no framework: the page must run as
// plain files served by the binary, with no build step).

/** Creates an element: el('p', {class: 'x'}, 'text', childNode…). Strings become text nodes, so
 *  data from the API is never interpreted as HTML. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

const NUM = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });
const NUM1 = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });

/** 11964 → "11 964 m²". */
export function area(m2) {
  return m2 === null || m2 === undefined ? null : `${NUM.format(m2)} m²`;
}

/** A share in percent, one decimal below 10 %. */
export function percent(p) {
  if (p === null || p === undefined || Number.isNaN(p)) return null;
  return `${p < 10 ? NUM1.format(p) : NUM.format(p)} %`;
}

/** A distance in metres. */
export function metres(m) {
  return m === null || m === undefined ? null : `${NUM.format(m)} m`;
}

/** ISO date (yyyy-mm-dd or yyyymmdd) → "13 octobre 2017"; anything else is returned as is. */
export function date(d) {
  if (!d) return null;
  const m = String(d).match(/^(\d{4})-?(\d{2})-?(\d{2})/);
  if (!m) return String(d);
  const dt = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return dt.toLocaleDateString('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** "75118000BN0023" → "75118 000 BN 0023", the way the cadastre prints it. */
export function parcelRef(id) {
  if (!id || id.length !== 14) return id || '';
  return `${id.slice(0, 5)} ${id.slice(5, 8)} ${id.slice(8, 10)} ${id.slice(10)}`;
}

/** Coordinates for display: "48,88670 N, 2,34310 E". */
export function coords(lat, lon) {
  const f = (x) => Math.abs(x).toFixed(5).replace('.', ',');
  return `${f(lat)} ${lat >= 0 ? 'N' : 'S'}, ${f(lon)} ${lon >= 0 ? 'E' : 'O'}`;
}

/** The colour family of a TYPEZONE (U, AU, A, N), as the server computes it. */
export function zoneFamily(typezone) {
  const t = String(typezone || '').trim().toUpperCase();
  if (t.startsWith('AU')) return 'AU';
  if (t.startsWith('U')) return 'U';
  if (t.startsWith('A')) return 'A';
  if (t.startsWith('N')) return 'N';
  return null;
}

/** A link to a regulation file when the value is a URL; the bare file name otherwise. */
export function docLink(urlOrName, label) {
  if (!urlOrName) return null;
  // A web address from the data, or a delivered file the service serves (`/api/pieces/…`).
  if (/^https?:\/\//i.test(urlOrName) || urlOrName.startsWith('/api/pieces/')) {
    return el('a', { href: urlOrName, target: '_blank', rel: 'noopener' }, label || fileName(urlOrName));
  }
  // A file name the data cites but the loaded delivery does not hold: said, not a dead link.
  return el('span', { class: 'item-meta doc-missing' },
    `${label ? label + ' : ' : ''}« ${urlOrName} » (fichier cité par les données, absent de la livraison chargée)`);
}

/**
 * The meaning of a CNIG `ETAT` code of DOC_URBA, the code second: « opposable (code 03) ».
 * Source: standard CNIG PLU/PLUi v2017, list of values of DOC_URBA's ETAT (as transcribed in
 * sigagglocompiegne/docurba, table m_urbanisme_doc_cnig2017.lt_etat); an unknown code is shown as is.
 */
const ETAT = {
  '01': 'en cours de procédure', '02': 'arrêté', '03': 'opposable', '04': 'annulé', '05': 'remplacé',
  '06': 'abrogé', '07': 'approuvé', '08': 'partiellement annulé', '09': 'caduc',
};

export function etatLabel(code) {
  const c = String(code).trim().padStart(2, '0');
  return ETAT[c] ? `${ETAT[c]} (état CNIG ${c})` : `état CNIG ${code}`;
}

/**
 * A zone's title with its meaning first and its code second: « Inconstructible sauf exceptions —
 * zone RA,T3 », from a label that ends with the code (« Inconstructible sauf exceptions - RA,T3 »)
 * or not; the code alone when there is no label.
 */
export function zoneTitle(label, code) {
  if (!label) return `Zone ${code}`;
  if (!code) return label;
  const meaning = label.endsWith(code) ? label.slice(0, -code.length).replace(/[\s\-–—:]+$/, '') : label;
  return meaning && meaning !== code ? `${meaning} — zone ${code}` : `Zone ${code}`;
}

function fileName(url) {
  try {
    return decodeURIComponent(new URL(url).pathname.split('/').pop()) || url;
  } catch {
    return url;
  }
}

/** Returns a debounced version of fn. */
export function debounce(fn, ms) {
  let t;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

/** Text with its web addresses turned into links (summary sentences quote regulation URLs). */
export function linkify(text) {
  const out = [];
  const re = /https?:\/\/[^\s<>"')]+[^\s<>"').,;:]/g;
  let last = 0;
  for (const m of String(text).matchAll(re)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push(el('a', { href: m[0], target: '_blank', rel: 'noopener' }, m[0]));
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
