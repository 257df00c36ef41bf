// The result panel: renders a /api/lookup answer for a citizen and an instructor alike.
//
// Order: the place (parcel, commune), what forbids building (first on every screen: a red risk
// zone must not sit below the fold on a phone), the warnings about missing data (in colour: "no
// zone here" must never be mistaken for "no data here"), the summary sentences, then one section
// per family with regulation links, the sources with their dates, and the internal ids folded
// away in « Détails techniques ». Each "not loaded" message is said once, in the warnings.
//
// The answer's shape grows with the service (parcel-level analysis, nearest parcel, summary):
// every field is read defensively and shown when present.

import { el, area, percent, metres, date, parcelRef, coords, zoneFamily, docLink, linkify, etatLabel, zoneTitle } from './format.js';

const TYPEDOC_LABELS = {
  PLU: "plan local d'urbanisme (PLU)",
  PLUI: "plan local d'urbanisme intercommunal (PLUi)",
  CC: 'carte communale',
  POS: "plan d'occupation des sols (POS)",
  PSMV: 'plan de sauvegarde et de mise en valeur (PSMV)',
  RNU: "règlement national d'urbanisme (RNU)",
};

const RISK_KIND = { PPRN: 'risques naturels', PPRT: 'risques technologiques', PPRM: 'risques miniers', autre: 'autre zonage de risque' };

/** The parcel id of an answer, wherever the service puts it. */
export function parcelOf(answer) {
  if (!answer) return null;
  const p = answer.parcel;
  if (p && typeof p === 'object') return p.id ? p : p.parcel || null;
  return null;
}

/** The nearest parcel offered when the point is on a street: `{id, distance_m, …}` or null. */
export function nearestOf(answer) {
  const n = answer && (answer.nearest_parcel || answer.nearest);
  if (!n) return null;
  const parcel = n.parcel || n;
  return parcel.id ? { ...parcel, distance_m: n.distance_m ?? parcel.distance_m } : null;
}

export function renderLoading(root, text = 'Recherche des règles applicables…') {
  root.replaceChildren(el('p', { class: 'loading', role: 'status' }, text));
}

export function renderError(root, message) {
  root.replaceChildren(el('div', { class: 'alert alert-danger', role: 'alert' },
    el('strong', {}, 'La recherche a échoué'), el('p', {}, message)));
}

/**
 * Renders `answer` into `root`.
 * @param {{label?: string, onNearest?: (parcel) => void, permalink?: string}} opts
 */
/** What a share is a share of: the parcel, or the project footprint drawn or sent. */
let sharesOf = 'de la parcelle';

export function renderAnswer(root, answer, opts = {}) {
  const parcel = parcelOf(answer);
  const footprint = answer.scope && answer.scope.kind === 'footprint';
  sharesOf = footprint ? 'du projet' : 'de la parcelle';
  const out = [
    renderPlace(answer, parcel, opts.label),
    renderForbids(answer),
    renderCuaLinks(answer, parcel),
    renderCoverageAlerts(answer),
    renderStreet(answer, parcel, opts.onNearest),
    renderSummary(answer, parcel),
    // One wrapper for the detailed sections: the printed fiche sets them in two columns.
    el('div', { class: 'sections' }, [
      renderDocument(answer),
      renderZones(answer),
      renderFeatures('Prescriptions du PLU', answer.prescriptions, 'prescriptions'),
      renderFeatures('Informations du PLU', answer.informations, 'informations'),
      renderServitudes(answer),
      renderRisks(answer),
      ...renderZonings(answer),
      renderSources(answer),
    ].filter(Boolean)),
    renderTechnical(answer, parcel),
    el('p', { class: 'generated' }, `Fiche générée le ${new Date().toLocaleString('fr-FR', { dateStyle: 'long', timeStyle: 'short' })} par Urbaclic. `,
      'Information indicative : seul le document d\'urbanisme opposable, consultable en mairie, fait foi.'),
  ];
  root.replaceChildren(...out.filter(Boolean));
}

function renderPlace(a, parcel, label) {
  const commune = a.commune ? `${a.commune.name} (${a.commune.insee})` : 'Commune non chargée';
  const lat = a.lat ?? a.point?.lat;
  const lon = a.lon ?? a.point?.lon;
  const sub = [];
  // The chosen label (address, example) is the title of a point, a subtitle under a parcel.
  // A parcel suggestion's label (« Parcelle AB 37 — Épinay-sur-Orge ») repeats the title: not shown.
  if (label && parcel && !/^Parcelle /.test(label)) sub.push(el('p', { class: 'place-sub' }, label));
  sub.push(el('p', { class: 'place-sub' }, commune));
  if (parcel) {
    const c = parcel.contenance;
    const measured = a.scope && a.scope.area_m2;
    sub.push(el('p', { class: 'place-sub' },
      `Section ${String(parcel.section).replace(/^0/, '')}, n° ${Number(parcel.numero)}`,
      c ? ` · contenance ${area(c)}` : measured ? ` · surface ${area(measured)}` : ''));
  }
  if (lat !== undefined && lon !== undefined) sub.push(el('p', { class: 'place-sub' }, `Point : ${coords(lat, lon)}`));
  return el('div', { class: 'place' },
    el('p', { class: 'place-kicker' }, parcel ? 'Parcelle cadastrale'
      : a.scope && a.scope.kind === 'footprint' ? 'Emprise du projet' : 'Point interrogé'),
    el('h2', { 'data-testid': 'place-title', 'data-parcel': parcel ? parcel.id : null },
      parcel ? el('span', { class: 'parcel-id' }, parcelRef(parcel.id)) : (label || (a.commune ? a.commune.name : 'Hors des données chargées'))),
    ...sub);
}

/**
 * What forbids building here, first: the summary sentences the service classed `ban` (red risk
 * zones, EBC, reserved sites…), each naming its source; the summary below does not repeat them.
 */
function renderForbids(a) {
  const bans = (Array.isArray(a.summary) ? a.summary : []).filter((s) => s && s.kind === 'ban' && s.text);
  if (!bans.length) return null;
  return el('div', { class: 'alert alert-danger forbids', role: 'alert', 'data-testid': 'forbids' },
    el('strong', {}, 'Ce qui interdit de construire ici'),
    el('ul', {}, bans.map((s) => el('li', {}, linkify(s.text)))));
}

/** Internal ids (parcel, document, features' files), for an instructor who needs them: folded. */
function renderTechnical(a, parcel) {
  const rows = [];
  if (parcel) rows.push(['Parcelle', parcel.id]);
  const d = a.document && (a.document.document || a.document);
  if (d && d.idurba) rows.push(['Document (IDURBA)', d.idurba]);
  if (a.status && a.status.idurba && (!d || d.idurba !== a.status.idurba)) rows.push(['Statut (IDURBA)', a.status.idurba]);
  for (const z of a.zones || []) if (z.source && z.source.id) rows.push([`Zone ${z.libelle}`, z.source.id]);
  for (const r of a.risks || []) if (r.source && r.source.id) rows.push([`Zone de risque ${r.zone_code}`, r.source.id]);
  for (const x of a.servitudes || []) if (x.id_ass) rows.push([`Assiette ${x.categorie}`, x.id_ass]);
  if (!rows.length) return null;
  return el('details', { class: 'technical', 'data-testid': 'technical' },
    el('summary', {}, 'Détails techniques (identifiants des données)'),
    el('dl', {}, rows.map(([k, v]) => [el('dt', {}, k), el('dd', {}, el('code', {}, v))])));
}

/**
 * Links to the draft certificat d'urbanisme d'information of the place (`/api/cua`): of the
 * parcel shown, else of the point. Screen only: the printed fiche stays one page.
 */
function renderCuaLinks(a, parcel) {
  const lat = a.lat ?? a.point?.lat;
  const lon = a.lon ?? a.point?.lon;
  let place;
  if (parcel) place = { parcel: parcel.id };
  else if (lat !== undefined && lon !== undefined) place = { lat: lat.toFixed(6), lon: lon.toFixed(6) };
  else return null;
  const href = (format) => `api/cua?${new URLSearchParams({ ...place, format })}`;
  return el('p', { class: 'cua-links no-print', 'data-testid': 'cua-links' },
    el('a', { href: href('pdf'), 'data-testid': 'cua-pdf', download: '' }, 'Projet de CU d\'information (PDF)'),
    ' · ',
    el('a', { href: href('html'), 'data-testid': 'cua-html', target: '_blank', rel: 'noopener' }, '(HTML)'));
}

/** True when planning data is loaded for the place (a document, zones, or planning coverage). */
function hasPlanning(a) {
  const c = a.coverage || {};
  return Boolean(c.planning || a.document || (a.zones && a.zones.length));
}

/** The one-line pointer a section shows when its data is not loaded: the alert above says it. */
function notLoaded() {
  return el('p', { class: 'none' }, 'Non chargé ici : voir « Données non chargées ici » ci-dessus.');
}

function renderCoverageAlerts(a) {
  const c = a.coverage || {};
  const alerts = [];
  if (!hasPlanning(a)) {
    alerts.push(el('div', { class: 'alert alert-danger', role: 'alert', 'data-testid': 'no-planning' },
      el('strong', {}, 'Aucune donnée d\'urbanisme chargée ici'),
      // No zoning section follows (this says it once): short, the phone's first screen is small.
      el('p', {}, 'Document d\'urbanisme (PLU, PLUi, carte communale…) inconnu du service : cela ne veut pas dire '
        + 'qu\'aucune règle ne s\'applique. Renseignez-vous en mairie ou sur le Géoportail de l\'Urbanisme.')));
  } else if (a.status && a.status.label) {
    alerts.push(el('div', { class: `alert ${a.status.kind === 'inconnu' ? 'alert-warn' : 'alert-info'}`, 'data-testid': 'status' },
      el('strong', {}, 'Règles applicables'), el('p', {}, a.status.label)));
  }
  const warnings = (a.warnings || []).map((w) => (typeof w === 'string' ? w : w && (w.text || w.message))).filter(Boolean);
  if (warnings.length) {
    alerts.push(el('div', { class: 'alert alert-warn', 'data-testid': 'warnings' },
      el('strong', {}, 'À vérifier'), el('ul', {}, warnings.map((w) => el('li', {}, w)))));
  }
  const missing = [];
  if (!a.commune) missing.push('limites communales');
  if (!c.cadastre && !parcelOf(a)) missing.push('cadastre (parcelles)');
  if (!hasPlanning(a)) missing.push('urbanisme (PLU, PLUi, carte communale)');
  if (!c.servitudes && !(a.servitudes && a.servitudes.length)) missing.push('servitudes d\'utilité publique');
  if (!c.risks && !(a.risks && a.risks.length)) missing.push('plans de prévention des risques');
  if (missing.length) {
    alerts.push(el('div', { class: 'alert alert-warn', 'data-testid': 'missing-data' },
      el('strong', {}, 'Données non chargées ici'),
      el('p', {}, `Pas de données pour : ${missing.join(', ')}. Les sections correspondantes ne peuvent pas conclure.`)));
  }
  return alerts.length ? el('div', { class: 'alerts' }, ...alerts) : null;
}

function renderStreet(a, parcel, onNearest) {
  if (parcel || !(a.coverage && a.coverage.cadastre)) return null;
  const near = nearestOf(a);
  const box = el('div', { class: 'alert alert-info', 'data-testid': 'on-street' },
    el('strong', {}, 'Le point n\'est dans aucune parcelle'),
    el('p', {}, 'Il tombe sur la voirie ou un espace non cadastré.'));
  if (near) {
    box.append(el('p', {}, 'Parcelle la plus proche : ', el('span', { class: 'parcel-id' }, parcelRef(near.id)),
      near.distance_m !== undefined ? ` à ${metres(near.distance_m)}` : ''));
    if (onNearest) {
      box.append(el('button', { type: 'button', 'data-testid': 'nearest-btn', onclick: () => onNearest(near) },
        'Analyser la parcelle la plus proche'));
    }
  } else {
    box.append(el('p', {}, 'Déplacez le repère sur une parcelle pour obtenir son analyse.'));
  }
  return box;
}

function sentenceText(s) {
  if (typeof s === 'string') return s;
  return s && (s.text || s.sentence || s.phrase) || '';
}

function renderSummary(a, parcel) {
  let sentences = Array.isArray(a.summary)
    ? a.summary.map((s) => ({ text: sentenceText(s), sources: s && (s.sources || (s.source ? [s.source] : [])) }))
    : [];
  const kinds = Array.isArray(a.summary) ? a.summary.map((s) => s && s.kind) : [];
  if (typeof a.summary === 'string') sentences = [{ text: a.summary }];
  if (!sentences.length) sentences = fallbackSummary(a, parcel).map((text) => ({ text }));
  // Said once: what forbids building is the box at the top, missing planning data the red alert.
  const shownAbove = new Set(['ban']);
  if (!hasPlanning(a)) shownAbove.add('planning');
  sentences = sentences.filter((s, i) => s.text && !shownAbove.has(kinds[i]));
  if (!sentences.length) return null;
  return el('section', { class: `summary${sentences.length > 8 ? ' long' : ''}`, 'aria-labelledby': 'h-summary', 'data-testid': 'summary' },
    el('h3', { id: 'h-summary' }, 'En résumé'),
    el('ol', {}, sentences.map((s) => el('li', {
      // Each sentence is traceable to the features it comes from (layer file and feature number).
      title: s.sources && s.sources.length ? `Source : ${s.sources.map((x) => x.id || x.layer).join(', ')}` : null,
    }, linkify(s.text)))));
}

/** Sentences built here when the service sends no `summary` (older service versions). */
function fallbackSummary(a, parcel) {
  const out = [];
  const where = a.commune ? ` à ${a.commune.name}` : '';
  if (parcel) out.push(`Parcelle ${parcelRef(parcel.id)}${parcel.contenance ? ` (${area(parcel.contenance)})` : ''}${where}.`);
  const d = a.document && (a.document.document || a.document);
  for (const z of a.zones || []) {
    out.push(`Zone ${z.libelle}${d && d.typedoc ? ` du ${d.typedoc}` : ''}${d && d.datappro ? ` approuvé le ${date(d.datappro)}` : ''} : ${z.typezone_label || z.typezone}${z.libelong ? ` (${z.libelong})` : ''}.`);
  }
  for (const r of a.risks || []) {
    out.push(`${r.regulation_label ? capital(r.regulation_label) + ' — ' : ''}${r.zone_label || r.zone_code} (${r.plan}).`);
  }
  for (const s of a.servitudes || []) out.push(`Servitude ${s.categorie}${s.categorie_label ? ` (${s.categorie_label})` : ''}.`);
  if ((a.prescriptions || []).length) out.push(`${a.prescriptions.length} prescription(s) du PLU s'appliquent ici.`);
  return out;
}

function capital(s) {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

/** Above this many items a section prints as one line: the summary already names each one, and
 *  the fiche must stay on one page (fifteen monument surroundings overlap in central Ajaccio). */
const PRINT_DETAIL_MAX = 4;

function section(title, count, id, ...body) {
  const many = count !== null && count > PRINT_DETAIL_MAX;
  return el('section', { class: `section${many ? ' many' : ''}`, 'aria-labelledby': `h-${id}`, 'data-section': id },
    el('h3', { id: `h-${id}` }, title, count !== null ? el('span', { class: 'count' }, String(count)) : null),
    many ? el('p', { class: 'print-only item-meta' }, `${count} éléments, cités dans le résumé ; détail à l'écran.`) : null,
    ...body);
}

function renderDocument(a) {
  const raw = a.document;
  const c = a.coverage || {};
  if (!raw && !hasPlanning(a)) return null;
  if (!raw) {
    const status = a.document_status || a.status;
    const text = status && (status.label || status.message || status.text)
      || (c.planning ? 'Données chargées, mais aucun document d\'urbanisme ne couvre ce point : le règlement national d\'urbanisme (RNU) s\'applique.'
        : 'Aucune donnée d\'urbanisme chargée ici : le document applicable est inconnu du service.');
    return section('Document d\'urbanisme', null, 'document', el('p', { class: 'none' }, text));
  }
  const d = raw.document || raw;
  const type = String(d.typedoc || '').toUpperCase();
  const links = [
    docLink(raw.reglement || d.urlreg || d.nomreg, 'Règlement'),
    docLink(raw.plan || d.urlplan || d.nomplan, 'Plan de zonage'),
    d.siteweb ? docLink(d.siteweb, 'Site du document') : null,
  ].filter(Boolean);
  return section('Document d\'urbanisme', null, 'document',
    el('div', { class: 'item' },
      el('p', { class: 'item-title' }, `${d.typedoc || 'Document'} — ${TYPEDOC_LABELS[type] || ''}`),
      el('p', { class: 'item-meta' },
        d.datappro ? `Approuvé le ${date(d.datappro)}` : 'Date d\'approbation non renseignée',
        d.etat ? ` · ${etatLabel(d.etat)}` : '',
        d.siren ? ` · EPCI ${d.siren}` : ''),
      links.length ? el('p', { class: 'links' }, links) : null));
}

function renderZones(a) {
  const zones = a.zones || [];
  if (!zones.length && !hasPlanning(a)) return null;
  if (!zones.length) {
    const covered = (a.coverage && a.coverage.planning) || a.document;
    return section('Zonage', 0, 'zones', el('p', { class: 'none' },
      covered ? 'Aucune zone du document ne couvre ce point.' : 'Pas de zonage connu : aucune donnée d\'urbanisme chargée ici.'));
  }
  return section('Zonage', zones.length, 'zones', zones.map((z) => {
    const fam = zoneFamily(z.typezone) || 'x';
    const share = z.share_pct ?? z.overlap?.share_pct ?? z.share;
    const marginal = z.marginal ?? z.overlap?.marginal;
    return el('div', { class: `item${marginal ? ' marginal' : ''}`, 'data-testid': 'zone' },
      el('p', { class: 'item-title' },
        el('span', { class: `zone-badge fam-${fam}` }, z.libelle),
        capital(z.typezone_label || z.typezone || '')),
      z.libelong ? el('p', {}, z.libelong) : null,
      z.destdomi_label ? el('p', { class: 'item-meta' }, `Destination dominante : ${z.destdomi_label}`) : null,
      share !== undefined && share !== null ? [
        el('span', { class: 'share', role: 'img', 'aria-label': `${percent(share)} ${sharesOf}` },
          el('span', { style: `width:${Math.max(1, Math.min(100, share))}%` })),
        el('p', { class: 'item-meta' }, `${percent(share)} ${sharesOf}${marginal ? ' — part marginale (bruit de limite entre jeux de données)' : ''}`),
      ] : null,
      (z.reglement_url || z.reglement || z.urlfic || z.nomfic)
        ? el('p', { class: 'links' }, docLink(z.reglement_url || z.reglement || z.urlfic || z.nomfic, `Règlement de la zone ${z.libelle}`)) : null,
      renderKeyRules(z));
  }));
}

/**
 * The zone's key rules read from its structured regulation, each value with the sentence it was
 * read from; or, without one, the plain statement that the rules are not loaded.
 */
function renderKeyRules(z) {
  const r = z.regulation;
  if (!r) {
    return el('p', { class: 'item-meta', 'data-testid': 'no-key-rules' },
      'Règles de la zone non chargées (pas de règlement structuré) : elles se lisent dans le règlement.');
  }
  const found = (r.key_rules || []).filter((k) => k.values && k.values.length);
  const missing = (r.key_rules || []).filter((k) => !k.values || !k.values.length);
  const link = `/api/reglement?idurba=${encodeURIComponent(r.idurba)}&zone=${encodeURIComponent(r.zone)}`;
  return el('div', { class: 'key-rules', 'data-testid': 'key-rules' },
    el('p', { class: 'item-title' }, 'Règles clés (lues dans le règlement structuré, à vérifier dans le texte)'),
    el('ul', {}, found.map((k) => el('li', {},
      el('strong', {}, `${k.label} : `), k.values.map((v) => v.short).join(' ; '),
      el('details', {},
        el('summary', {}, 'Phrases du règlement'),
        k.values.map((v) => el('blockquote', {}, v.lead_in ? `${v.lead_in} ${v.sentence}` : v.sentence,
          el('footer', { class: 'item-meta' }, `— ${v.section}`))))))),
    missing.length ? el('p', { class: 'item-meta' },
      `Non trouvé dans le règlement : ${missing.map((k) => k.label.toLowerCase()).join(', ')}.`) : null,
    el('p', { class: 'links' },
      el('a', { href: link, target: '_blank', rel: 'noopener' },
        `Texte de la zone ${r.zone} (${(r.sections || []).length} sections, dispositions générales comprises)`)));
}

function renderFeatures(title, list, id) {
  list = list || [];
  if (!list.length) return null;
  return section(title, list.length, id, list.map((f) => el('div', { class: 'item' },
    el('p', { class: 'item-title' }, f.libelle || f.label || 'Sans libellé'),
    el('p', { class: 'item-meta' }, `Type ${f.code}${f.subcode ? '-' + f.subcode : ''}${f.label ? ` : ${f.label}` : ''}`,
      shareText(f)),
    f.txt ? el('p', {}, f.txt) : null,
    f.effect ? el('p', { class: 'effect' }, `${f.effect}.`) : null,
    f.legal_basis ? el('p', { class: 'item-meta' }, `Base légale : ${f.legal_basis}`) : null,
    (f.reglement || f.urlfic || f.nomfic) ? el('p', { class: 'links' }, docLink(f.reglement || f.urlfic || f.nomfic, 'Pièce écrite')) : null)));
}

function shareText(f) {
  const s = f.share_pct ?? f.overlap?.share_pct;
  return s !== undefined && s !== null ? ` · ${percent(s)} ${sharesOf}` : '';
}

function renderServitudes(a) {
  const list = a.servitudes || [];
  const c = a.coverage || {};
  if (!list.length) {
    return section('Servitudes d\'utilité publique', 0, 'servitudes', el('p', { class: 'none' },
      c.servitudes ? 'Aucune servitude chargée ne s\'applique ici.' : null), c.servitudes ? null : notLoaded());
  }
  // Repeated assiettes of one category and kind (a dozen monument perimeters) share one entry:
  // the category's effect is said once, the générateurs listed under it, as in the summary.
  const groups = [];
  for (const s of list) {
    const g = groups.find((x) => x[0].categorie === s.categorie && x[0].type_ass === s.type_ass);
    if (g) g.push(s); else groups.push([s]);
  }
  return section('Servitudes d\'utilité publique', list.length, 'servitudes', groups.map((g) => {
    const s = g[0];
    return el('div', { class: 'item', 'data-testid': 'servitude' },
      el('p', { class: 'item-title' },
        `${s.categorie} — ${s.categorie_label || 'catégorie sans libellé dans la nomenclature'}`,
        g.length > 1 ? el('span', { class: 'count-label' }, ` — ${g.length} assiettes`) : null),
      s.effect ? el('p', { class: 'effect' }, `${s.effect}.`) : null,
      s.consult ? el('p', { class: 'item-meta consult' }, `Consultation : ${s.consult}`) : null,
      s.legal_basis ? el('p', { class: 'item-meta' }, `Base légale : ${s.legal_basis}`) : null,
      g.length > 1
        ? [el('ul', { class: 'generateurs', 'data-testid': 'generateurs' }, generators(g).map((x) => el('li', {}, generatorLine(x)))),
          missingActs(g)]
        : assiette(s));
  }));
}

/** The assiettes of a group, one per générateur (a monument with two perimeters is one line). */
function generators(group) {
  const seen = new Map();
  for (const s of group) {
    const key = s.id_gen || s.nom_gen || s.id_ass;
    if (!seen.has(key)) seen.set(key, s);
  }
  return [...seen.values()];
}

/** One générateur in a line: what it is, its act with its date, its share of the parcel. */
function generatorLine(s) {
  const acte = s.acte || {};
  const what = s.nom_sup_litt || s.nom_gen || s.nom_sup || s.nom_ass;
  const act = [acte.type_acte, acte.date_decision ? `du ${date(acte.date_decision)}` : null].filter(Boolean).join(' ');
  return [
    el('span', { class: 'gen-name' }, what),
    s.type_gen ? ` (${s.type_gen.toLowerCase()})` : '',
    act ? ` · ${act}` : '',
    shareText(s),
    // Only an act that opens is linked per line; bare file names are said once for the group.
    acte.fichier && isOpenable(acte.fichier) ? [' · ', docLink(acte.fichier, 'acte')] : null,
  ];
}

/** True when `ref` is a web address or a piece the service serves. */
function isOpenable(ref) {
  return /^https?:\/\//i.test(ref) || ref.startsWith('/api/pieces/');
}

/** One note for the acts of a group that the data names but the loaded delivery does not hold. */
function missingActs(group) {
  const n = generators(group).filter((s) => s.acte && s.acte.fichier && !isOpenable(s.acte.fichier)).length;
  return n ? el('p', { class: 'item-meta doc-missing' },
    `${n} acte${n > 1 ? 's' : ''} cité${n > 1 ? 's' : ''} par les données (fichiers PDF), absent${n > 1 ? 's' : ''} de la livraison chargée.`) : null;
}

/** What one assiette says: what it protects, its générateur, its act. */
function assiette(s) {
  const acte = s.acte || {};
  const actText = [acte.nom || acte.type_acte, acte.reference, acte.date_decision ? `du ${date(acte.date_decision)}` : null].filter(Boolean).join(' ');
  return [
    (s.nom_sup_litt || s.nom_sup) ? el('p', {}, s.nom_sup_litt || s.nom_sup) : null,
    s.nom_gen ? el('p', { class: 'item-meta' }, `Générateur : ${s.nom_gen}${s.type_gen ? ` (${s.type_gen})` : ''}`) : null,
    el('p', { class: 'item-meta' }, `Assiette : ${s.nom_ass || s.id_ass}${s.type_ass ? ` (${s.type_ass})` : ''}`, shareText(s)),
    actText ? el('p', { class: 'item-meta' }, `Acte : ${actText}`) : null,
    acte.fichier ? el('p', { class: 'links' }, docLink(acte.fichier, 'Acte instituant la servitude')) : null,
  ];
}

function renderRisks(a) {
  const list = a.risks || [];
  const c = a.coverage || {};
  if (!list.length) {
    return section('Risques', 0, 'risks', el('p', { class: 'none' },
      c.risks ? 'Le point est dans le périmètre d\'un plan de risques chargé, hors de ses zones réglementées.' : null),
    c.risks ? null : notLoaded());
  }
  const tags = { ban: ['tag-ban', 'interdiction'], conditions: ['tag-cond', 'sous conditions'], advice: ['tag-info', 'recommandations'] };
  return section('Risques', list.length, 'risks', list.map((r) => {
    const tag = tags[r.effect];
    return el('div', { class: 'item' },
      el('p', { class: 'item-title' }, zoneTitle(r.zone_label, r.zone_code), tag ? el('span', { class: `tag ${tag[0]}` }, tag[1]) : null),
      el('p', { class: 'item-meta' },
        `${r.kind && r.kind !== 'autre' ? r.kind + ' — ' : ''}${r.hazard || RISK_KIND[r.kind] || ''} : ${r.plan}`,
        planState(r), shareText(r)),
      r.meaning ? el('p', { class: 'effect' },
        `${r.regulation_label ? `Règlement de type « ${r.regulation_label} » : ` : ''}${r.meaning}${r.legal_basis ? ` (${r.legal_basis})` : ''}.`) : null,
      r.url ? el('p', { class: 'links' }, docLink(r.url, 'Règlement du plan')) : null);
  }));
}

/** ` (approuvé le 08/02/2017)`, as far as the plan says. */
function planState(r) {
  if (r.plan_state && r.plan_date) return ` (${r.plan_state} le ${date(r.plan_date)})`;
  if (r.plan_state) return ` (${r.plan_state})`;
  return r.plan_date ? ` (${date(r.plan_date)})` : '';
}

/** One section per zoning theme (seismic zoning, former quarries…) that covers the place or has a
 *  zone there; a theme whose maps stop short of the place says nothing, as it checked nothing. */
function renderZonings(a) {
  return (a.zonings || []).filter((t) => t.covered || (t.zones && t.zones.length)).map((t) => {
    const zones = t.zones || [];
    const id = `zoning-${t.theme}`;
    if (!zones.length) {
      // Not class "none": on paper this says something the coverage table does not (checked, outside).
      return section(t.name, 0, id, el('p', { class: 'zoning-outside' }, 'Hors des zones de cette carte.'));
    }
    return section(t.name, zones.length, id, zones.map((z) => el('div', {
      class: `item${z.marginal ? ' marginal' : ''}`, 'data-testid': 'zoning-zone',
    },
    el('p', { class: 'item-title' }, z.label || `Zone ${z.code}`),
    el('p', { class: 'item-meta' }, `Code ${z.code}`, shareText(z),
      z.marginal ? ' — part marginale (bruit de limite entre jeux de données)' : ''),
    z.url ? el('p', { class: 'links' }, docLink(z.url, 'Texte de référence')) : null)));
  });
}

function renderSources(a) {
  const c = a.coverage || {};
  const row = (label, ok) => el('tr', {}, el('th', { scope: 'row' }, label),
    el('td', { class: ok ? 'cov-yes' : 'cov-no' }, ok ? 'chargé' : 'non chargé'));
  // A zoning theme's scope is its key (`carrieres`), which its name, the source, already says.
  const themes = new Set((a.zonings || []).map((t) => t.theme));
  const sources = (c.sources || []).map((s) => el('li', {},
    `${s.source}${s.scope && !themes.has(s.scope) ? ` (${s.scope})` : ''} — ${s.basis || ''}`));
  const dated = [];
  const d = a.document && (a.document.document || a.document);
  if (d && d.datappro) dated.push(el('li', {}, `${d.typedoc} : approuvé le ${date(d.datappro)}`));
  for (const r of a.risks || []) if (r.plan_date) dated.push(el('li', {}, `${r.plan} : ${date(r.plan_date)}`));
  return section('Données et sources', null, 'sources',
    el('table', { class: 'coverage-table' },
      el('tbody', {},
        row('Cadastre', c.cadastre),
        row('Urbanisme (PLU, PLUi, CC)', c.planning),
        row('Servitudes (SUP)', c.servitudes),
        row('Risques (PPR)', c.risks),
        // Only the themes that cover the place, as in the sections: listing a local map (Paris
        // quarries) as "non chargé" everywhere else would be noise.
        (a.zonings || []).filter((t) => t.covered).map((t) => row(t.name, true)))),
    sources.length ? el('ul', { class: 'sources' }, sources) : null,
    dated.length ? el('ul', { class: 'sources' }, dated) : null,
    a.tolerance_m ? el('p', { class: 'item-meta' }, `Éléments linéaires et ponctuels retenus à moins de ${metres(a.tolerance_m)} du point.`) : null);
}
