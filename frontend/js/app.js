// Entry point: wires the address box, the map, the result panel and the permalink.
//
// One lookup at a time: each new point or parcel cancels the request before it, and a late answer
// for an older point is never shown (sequence number), so dragging the marker quickly stays right.

import { lookupPoint, lookupParcel, lookupFootprint } from './api.js';
import { ADDRESS_ZOOM } from './config.js';
import { EXAMPLES } from './examples.js';
import { area, el, parcelRef } from './format.js';
import { MapView } from './map.js';
import { renderAnswer, renderError, renderLoading, parcelOf } from './panel.js';
import { readPermalink, writePermalink } from './permalink.js';
import { AddressSearch } from './search.js';
import { outsideTerritory, renderOutside } from './territory.js';

const panelBody = document.getElementById('panel-body');
const btnPrint = document.getElementById('btn-print');
const btnLink = document.getElementById('btn-link');
const btnExamples = document.getElementById('btn-examples');
const examplesMenu = document.getElementById('examples-menu');
const printFooter = document.getElementById('print-footer');

/** What is shown: the point, the parcel asked for by id (if any), the address label, or the ring
 *  of a drawn project ([[lon, lat], …]). */
const current = { point: null, parcel: null, label: null, footprint: null, answer: null };
let seq = 0;
let inflight = null;

const map = new MapView(document.getElementById('map'), {
  onPick: (lat, lon) => {
    search.setText('');
    show({ point: { lat, lon }, label: null });
  },
  onViewChange: () => {
    if (current.point || current.parcel || current.footprint) updatePermalink();
  },
  onFootprint: (geometry) => {
    search.setText('');
    show({ footprint: geometry.coordinates[0].slice(0, -1) });
  },
});

const search = new AddressSearch({
  near: () => map.focus(),
  onChoose: (feature) => {
    const [lon, lat] = feature.geometry.coordinates;
    const label = feature.properties && feature.properties.label;
    map.setView(lat, lon, ADDRESS_ZOOM);
    map.placeMarker(lat, lon);
    show({ point: { lat, lon }, label });
  },
});

/**
 * Runs the lookup for `target` and renders it.
 * @param {{point?: {lat:number, lon:number}, parcel?: string, label?: string,
 *          footprint?: Array<[number, number]>}} target
 */
async function show(target) {
  const my = ++seq;
  if (inflight) inflight.abort();
  inflight = new AbortController();
  current.point = target.point || null;
  current.parcel = target.parcel || null;
  current.label = target.label || null;
  current.footprint = target.footprint || null;
  current.answer = null;
  map.clearHighlight();
  renderLoading(panelBody);
  document.body.dataset.state = 'loading';
  updatePermalink();
  try {
    let answer;
    if (target.footprint) {
      map.clearMarker();
      const ring = target.footprint;
      answer = await lookupFootprint({ type: 'Polygon', coordinates: [[...ring, ring[0]]] }, inflight.signal);
    } else if (target.parcel) {
      try {
        answer = await lookupParcel(target.parcel, inflight.signal);
      } catch (e) {
        // A service without parcel lookups (or an unknown parcel) still answers for the point.
        if (e.name === 'AbortError' || !target.point) throw e;
        answer = await lookupPoint(target.point.lat, target.point.lon, inflight.signal);
        current.parcel = null;
      }
    } else {
      answer = await lookupPoint(target.point.lat, target.point.lon, inflight.signal);
    }
    if (my !== seq) return;
    current.answer = answer;
    if (!current.point && !current.footprint && answer.lat !== undefined) {
      // A parcel asked for by id: the answer says where it is.
      current.point = { lat: answer.lat, lon: answer.lon };
      map.setView(current.point.lat, current.point.lon);
    }
    if (current.point) map.placeMarker(current.point.lat, current.point.lon);
    const served = answer.scope && answer.scope.area_m2;
    if (current.footprint) map.drawTool.setServedArea(served);
    if (outsideTerritory(answer)) renderOutside(panelBody);
    else {
      const label = current.footprint ? `Projet dessiné (${area(served)})` : current.label;
      renderAnswer(panelBody, answer, { label, onNearest: chooseNearest });
    }
    btnPrint.disabled = false;
    btnLink.disabled = false;
    updatePermalink();
    updatePrintFooter();
    document.body.dataset.state = 'ready';
    // A parcel asked for by id alone (permalink): frame the whole parcel once it is drawn.
    await highlight(answer, my, Boolean(target.parcel && !target.point));
  } catch (e) {
    if (e.name === 'AbortError' || my !== seq) return;
    renderError(panelBody, e.message);
    document.body.dataset.state = 'error';
  }
}

/** Outlines the analysed parcel (solid) and, on a street, the nearest parcel (dashed). */
async function highlight(answer, my, fit) {
  const parcel = parcelOf(answer);
  try {
    if (parcel) {
      const geom = parcel.geometry || (current.point
        ? await map.parcelGeometry(parcel.id, current.point.lat, current.point.lon, 60)
        : null);
      if (my === seq && geom) {
        map.showParcel(geom);
        if (fit) map.fitGeometry(geom);
      }
    }
    const near = answer.nearest_parcel || answer.nearest;
    const nearParcel = near && (near.parcel || near);
    if (!parcel && nearParcel && nearParcel.id && current.point) {
      const geom = nearParcel.geometry || await map.parcelGeometry(
        nearParcel.id, current.point.lat, current.point.lon, (near.distance_m || 20) + 60);
      if (my === seq && geom) map.showParcel(geom, { nearest: true });
    }
  } catch {
    // The outline is a help, not the answer: a failure here leaves the panel as it is.
  }
}

function chooseNearest(near) {
  show({ point: current.point, parcel: near.id, label: current.label });
}

function updatePermalink() {
  return writePermalink({
    point: current.point, parcel: current.parcel, zoom: map.zoom(), label: current.label, footprint: current.footprint,
  });
}

// The service's configured public address (`public_url`, from /health): the printed fiche's link
// must reach the service from elsewhere, not 127.0.0.1 behind a proxy.
let publicUrl = null;
fetch('health').then((r) => r.json()).then((h) => { publicUrl = h.public_url || null; updatePrintFooter(); }).catch(() => {});

function shareLink() {
  return publicUrl ? `${publicUrl.replace(/\/+$/, '')}/${location.search}` : location.href;
}

function updatePrintFooter() {
  const a = current.answer;
  const parcel = parcelOf(a);
  const what = current.footprint ? 'du projet dessiné' : 'du point interrogé';
  printFooter.textContent = `Urbaclic — fiche ${parcel ? `de la parcelle ${parcelRef(parcel.id)}` : what}, `
    + `générée le ${new Date().toLocaleString('fr-FR', { dateStyle: 'long', timeStyle: 'short' })}. `
    + 'Information indicative : seul le document d\'urbanisme opposable, consultable en mairie, fait foi. '
    + `Lien : ${shareLink()}`;
}

// ---- buttons ----

// The map box has another size on paper: give it that size before printing (Ctrl+P fires
// beforeprint too), so that the point stays in the middle of the printed map.
function beforePrint() {
  document.body.classList.add('printing');
  map.resized(current.point);
  updatePrintFooter();
}

function afterPrint() {
  document.body.classList.remove('printing');
  map.resized(current.point);
}

window.addEventListener('beforeprint', beforePrint);
window.addEventListener('afterprint', afterPrint);

btnPrint.addEventListener('click', () => {
  beforePrint();
  window.print();
});

btnLink.addEventListener('click', async () => {
  const url = updatePermalink();
  try {
    await navigator.clipboard.writeText(url);
    btnLink.textContent = 'Lien copié ✓';
  } catch {
    // Clipboard refused (insecure context): the address bar holds the link anyway.
    btnLink.textContent = 'Lien dans la barre d\'adresse';
  }
  setTimeout(() => { btnLink.textContent = 'Copier le lien'; }, 2500);
});

function openExample(ex) {
  map.setView(ex.lat, ex.lon, ex.zoom);
  map.placeMarker(ex.lat, ex.lon);
  search.setText('');
  show({ point: { lat: ex.lat, lon: ex.lon }, label: ex.title });
  // The button or pin that had focus is gone or hidden: keyboard users continue in the results.
  document.getElementById('panel').focus({ preventScroll: true });
}

function exampleButtons(onDone) {
  return EXAMPLES.map((ex) => el('li', {}, el('button', {
    type: 'button',
    'data-example': ex.id,
    onclick: () => {
      onDone && onDone();
      openExample(ex);
    },
  }, el('span', { class: 'ex-title' }, ex.title), el('span', { class: 'ex-what' }, ex.what))));
}

map.addExamplePins(EXAMPLES, openExample);

function setExamplesOpen(open) {
  examplesMenu.hidden = !open;
  btnExamples.setAttribute('aria-expanded', String(open));
  if (open) examplesMenu.querySelector('button')?.focus();
}

examplesMenu.querySelector('.examples-list').append(...exampleButtons(() => setExamplesOpen(false)));
btnExamples.addEventListener('click', () => setExamplesOpen(examplesMenu.hidden));
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && !examplesMenu.hidden) {
    setExamplesOpen(false);
    btnExamples.focus();
  }
});
document.addEventListener('click', (e) => {
  if (!examplesMenu.hidden && !examplesMenu.contains(e.target) && e.target !== btnExamples) setExamplesOpen(false);
});

function renderIntro() {
  panelBody.replaceChildren(el('div', { class: 'intro' },
    el('h2', {}, 'Quelles règles d\'urbanisme s\'appliquent ici ?'),
    el('p', {}, 'Saisissez une adresse ou une référence de parcelle (ex. 91216 AB 37), ou cliquez sur la carte. Urbaclic indique la parcelle, le document '
      + 'd\'urbanisme et sa zone, les prescriptions, les servitudes d\'utilité publique, les risques et les '
      + 'autres zonages chargés (anciennes carrières…), avec les liens vers les règlements.'),
    el('p', {}, 'Pour découvrir, essayez un exemple :'),
    el('ul', { class: 'examples-list' }, exampleButtons())));
  document.body.dataset.state = 'intro';
}

// ---- start: restore the permalink, or show the introduction ----

const start = readPermalink();
if (start) {
  if (start.point) map.setView(start.point.lat, start.point.lon, start.zoom ?? ADDRESS_ZOOM);
  if (start.label) search.setText(start.label);
  if (start.footprint) map.showFootprint(start.footprint);
  show({ point: start.point, parcel: start.parcel, label: start.label, footprint: start.footprint });
} else {
  renderIntro();
}
