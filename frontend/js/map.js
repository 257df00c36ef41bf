// The Leaflet map: vector layers drawn from the service's own data (GET /api/layers), the
// draggable marker, the highlighted parcel, the legend with layer switches, the basemaps of the
// server configuration in a layer control, and the project drawing tool (draw.js).
//
// With no basemap (the default: no network) the data is the map: loaded communes are filled in a
// paper white over the neutral grey of the rest of the world, and parcels write their numbers from
// zoom PARCEL_NUMBER_ZOOM on.
//
// Which layers exist comes from the service (GET /api/catalog), in drawing order: a zoning theme
// added to the data manifest appears in the legend and on the map with no change here. What this
// file knows is how each *style* is drawn (styleFor, SWATCHES); a layer of a style it does not know
// is still listed and drawn, in Leaflet's default blue.
//
// Layers are redrawn on every move (debounced, the previous request cancelled). Each layer has its
// own pane and renderer, so drawing order is fixed (communes under zones under easements…). Vector
// layers are not interactive: a click anywhere goes to the map and runs a lookup, which is what the
// user means by clicking. Zoning maps are the exception, for their hover tooltip (the zone's name);
// their clicks bubble to the map and run the lookup all the same.

import { layerCatalog, layersIn, ApiError } from './api.js';
import { basemaps, initialBasemap, rememberBasemap, NO_BASEMAP, FRANCE_BOUNDS } from './config.js';
import { DrawTool } from './draw.js';
import { el, debounce, zoneFamily } from './format.js';

const L = window.L;

const ZONE_COLOURS = { U: '#e53935', AU: '#fb8c00', A: '#fdd835', N: '#43a047' };
const ZONE_STROKES = { U: '#9b1c1a', AU: '#a85400', A: '#8d7600', N: '#1b5e20' };
const RISK_COLOURS = { ban: '#b00020', conditions: '#1e63c7', advice: '#4a90c2', unknown: '#00838f' };

/** From this zoom parcels write their number (at 18 a parcel of 300 m² is about 80 px wide). */
const PARCEL_NUMBER_ZOOM = 18;

/** Commune names are written from zoom 11 (below, dozens would overlap) to 15 (above, the
 *  commune fills the screen and the panel names it). */
const COMMUNE_NAME_ZOOMS = [11, 15];

/** Beyond this many parcels in view their numbers are not written (they would be a blur). */
const MAX_PARCEL_NUMBERS = 800;

/** Legend swatch of each style (a function of the layer for styles that take its colour). */
const SWATCHES = {
  communes: 'background:#fff;border:2px dashed #37474f',
  zones: 'background:linear-gradient(90deg,#e53935 25%,#fb8c00 25% 50%,#fdd835 50% 75%,#43a047 75%)',
  prescriptions: 'background:#d7ccc8;border:2px solid #6d4c41',
  informations: 'background:#cfd8dc;border:2px dotted #455a64',
  servitudes: 'background:rgba(142,36,170,.25);border:2px dashed #8e24aa',
  risks: 'background:linear-gradient(90deg,#b00020 33%,#1e63c7 33% 66%,#00838f 66%)',
  zoning: (layer) => `background:color-mix(in srgb, ${colourOf(layer)} 35%, #fff);border:2px solid ${colourOf(layer)}`,
  parcels: 'background:#fff;border:1px solid #455a64',
};

/** The layer's own colour (zoning themes), checked: it goes into style attributes. */
function colourOf(layer) {
  return /^#[0-9a-f]{3,8}$/i.test(layer.colour || '') ? layer.colour : '#757575';
}

function swatchFor(layer) {
  const sw = SWATCHES[layer.style];
  return typeof sw === 'function' ? sw(layer) : sw || 'background:#3388ff';
}

/** Whether the layer is not drawn at this zoom (the service would skip it: specks). */
function belowMinZoom(layer, zoom) {
  return layer.min_zoom !== undefined && layer.min_zoom !== null && zoom < layer.min_zoom;
}

/** How a feature of `layer` is drawn; `basemap`: whether a basemap is shown under the data. */
function styleFor(layer, props, zoom, basemap) {
  switch (layer.style) {
    case 'communes': {
      // Without a basemap the loaded communes are the land: paper white on the grey outside.
      const fill = basemap ? { fill: false } : { fill: true, fillColor: '#fdfdfb', fillOpacity: 0.85 };
      // Zoomed out, hundreds of dashed outlines would merge into dark blots: thin solid lines instead.
      return zoom < 11
        ? { color: '#607d8b', weight: 0.6, opacity: 0.8, ...fill }
        : { color: '#37474f', weight: 1.6, dashArray: '6 4', ...fill };
    }
    case 'zones': {
      const fam = props.family || zoneFamily(props.typezone);
      return {
        color: ZONE_STROKES[fam] || '#616161', weight: 1,
        fillColor: ZONE_COLOURS[fam] || '#9e9e9e', fillOpacity: 0.33,
      };
    }
    case 'prescriptions':
      return { color: '#6d4c41', weight: 1.5, fillColor: '#a1887f', fillOpacity: 0.18 };
    case 'informations':
      // Dotted and greyer than prescriptions: informations bind nothing, they point elsewhere.
      return { color: '#455a64', weight: 1.5, dashArray: '2 4', fillColor: '#90a4ae', fillOpacity: 0.12 };
    case 'servitudes':
      // Light fill: easements often overlap by the dozen (monument surroundings) and must not hide the rest.
      return { color: '#8e24aa', weight: 2, dashArray: '5 4', fillColor: '#8e24aa', fillOpacity: 0.07 };
    case 'risks': {
      const c = RISK_COLOURS[props.effect] || RISK_COLOURS.unknown;
      return { color: c, weight: 1.5, fillColor: c, fillOpacity: props.effect === 'ban' ? 0.3 : 0.18 };
    }
    case 'zoning': {
      const c = colourOf(layer);
      return { color: c, weight: 1.5, opacity: 0.85, fillColor: c, fillOpacity: 0.2 };
    }
    case 'parcels':
      return { color: '#455a64', weight: 0.8, fill: false };
    default:
      return {};
  }
}

export class MapView {
  /**
   * @param {HTMLElement} container
   * @param {{onPick: (lat:number, lon:number) => void, onViewChange?: () => void,
   *          onFootprint?: (geometry: object) => void}} handlers onFootprint: a project drawn or edited
   */
  constructor(container, { onPick, onViewChange, onFootprint }) {
    this.onPick = onPick;
    this.onViewChange = onViewChange || (() => {});
    this.map = L.map(container, {
      zoomControl: true,
      minZoom: 3,
      maxZoom: 20,
      zoomSnap: 1,
      worldCopyJump: false,
      attributionControl: true,
      keyboard: true,
    });
    this.map.attributionControl.setPrefix(
      '<a href="vendor/leaflet/LICENSE" title="Bibliothèque cartographique (licence BSD)">Leaflet</a>',
    );
    this.map.attributionControl.addAttribution('Données : cadastre Etalab, BAN, Géoportail de l\'Urbanisme (CNIG)');
    this.basemap = null;

    // Filled in from the catalogue (loadLayers); until then the map draws nothing.
    this.layers = [];
    this.enabled = new Set();
    this.groups = {};
    this.renderers = {};
    this.notes = {};
    // Above the layer panes (410, 411…: room for seventy), under the marker shadows (500).
    const labelPane = this.map.createPane('pane-labels');
    labelPane.style.zIndex = '480';
    labelPane.style.pointerEvents = 'none';
    this.labels = L.layerGroup().addTo(this.map);
    this.parcelLabels = L.layerGroup().addTo(this.map);
    this.communeLabels = L.layerGroup().addTo(this.map);
    const hlPane = this.map.createPane('pane-highlight');
    hlPane.style.zIndex = '490';
    this.highlight = L.layerGroup().addTo(this.map);
    this.hlRenderer = L.svg({ pane: 'pane-highlight' });

    this.marker = null;
    this.layerStatus = {};
    this.addCentreButton();
    this.drawTool = new DrawTool(this.map, { onFootprint: onFootprint || (() => {}) });
    L.control.scale({ imperial: false, position: 'bottomright' }).addTo(this.map);

    // While a project is being drawn, clicks place its vertices instead.
    this.map.on('click', (e) => {
      if (!this.drawTool.capturing) this.pick(e.latlng.lat, e.latlng.lng);
    });
    this.map.on('moveend', debounce(() => {
      this.refresh();
      this.onViewChange();
    }, 200));
    this.map.fitBounds(FRANCE_BOUNDS);
    this.loadLayers();
  }

  /** Learns the layers from the service, then builds their panes and legend and draws them. */
  async loadLayers() {
    let catalog;
    try {
      catalog = await layerCatalog();
    } catch (e) {
      this.addCatalogError(e instanceof ApiError ? e.message : String(e));
      this.addBasemaps([]);
      return;
    }
    this.addBasemaps(catalog.basemaps);
    this.layers = catalog.layers || [];
    this.enabled = new Set(this.layers.filter((l) => l.default_on).map((l) => l.name));
    // Panes are stacked in catalogue order, bottom first; "layer-" keeps a theme key from
    // clashing with the page's own panes.
    this.layers.forEach((l, i) => {
      const pane = this.map.createPane(`layer-${l.name}`);
      pane.style.zIndex = String(410 + i);
      // SVG rather than canvas: it prints as vectors (canvases can come out blank in a printed
      // PDF) and a few thousand parcels stay fluid.
      this.renderers[l.name] = L.svg({ pane: `layer-${l.name}`, padding: 0.2 });
      this.groups[l.name] = L.layerGroup().addTo(this.map);
    });
    this.addLegend();
    this.refresh();
  }

  /** The basemaps offered (configured, or given by `?fond=`) as the base layers of a layer
   *  control, with the data alone on a neutral background as the first choice. Nothing is added
   *  when there is no basemap to choose. */
  addBasemaps(configured) {
    const list = basemaps(configured);
    if (!list.length) return;
    const bases = { [NO_BASEMAP]: L.layerGroup() };
    for (const b of list) {
      bases[b.name] = L.tileLayer(b.url, {
        maxZoom: 20,
        // Beyond the server's deepest level its tiles are enlarged rather than missing.
        maxNativeZoom: b.max_zoom,
        // Plain text: the attribution comes from a configuration file, not from this page.
        attribution: escapeHtml(b.attribution),
      });
      bases[b.name].basemapName = b.name;
    }
    const first = initialBasemap(list.map((b) => b.name));
    bases[first].addTo(this.map);
    this.basemap = first === NO_BASEMAP ? null : first;
    this.map.on('baselayerchange', (e) => {
      this.basemap = e.layer.basemapName || null;
      rememberBasemap(e.name);
      // Commune fills follow: opaque without a basemap, none over one.
      this.refresh();
    });
    const phone = window.matchMedia('(max-width: 820px)').matches;
    L.control.layers(bases, null, { position: 'topright', collapsed: phone }).addTo(this.map);
    const ctl = this.map.getContainer().querySelector('.leaflet-control-layers');
    ctl.setAttribute('aria-label', 'Fond de carte');
    ctl.querySelector('.leaflet-control-layers-list')
      .prepend(el('p', { class: 'basemap-title' }, 'Fond de carte'));
  }

  /** Without the catalogue the map cannot draw any layer: it says so where the legend would be,
   *  rather than stay blank. Address search and lookups do not need it and keep working. */
  addCatalogError(message) {
    const ctl = L.control({ position: 'bottomleft' });
    ctl.onAdd = () => el('div', { class: 'legend map-alert', role: 'alert', 'data-testid': 'catalog-error' },
      el('strong', {}, 'Couches de la carte indisponibles'),
      el('p', {}, `La liste des couches n'a pas pu être obtenue du service (${message}). `
        + 'La carte n\'affiche donc aucune donnée ; la recherche d\'adresse et la fiche fonctionnent. '
        + 'Rechargez la page pour réessayer.'));
    ctl.addTo(this.map);
  }

  pick(lat, lon) {
    this.placeMarker(lat, lon);
    this.onPick(lat, lon);
  }

  setView(lat, lon, zoom) {
    this.map.setView([lat, lon], zoom ?? Math.max(this.map.getZoom(), 17));
  }

  zoom() {
    return this.map.getZoom();
  }

  /** The centre of the view once zoomed in on a town (to favour nearby addresses), else null. */
  focus() {
    if (this.map.getZoom() < 12) return null;
    const c = this.map.getCenter();
    return { lat: c.lat, lon: c.lng };
  }

  /** Places (or moves) the draggable marker; dragging it runs a lookup at the drop point. */
  placeMarker(lat, lon) {
    if (!this.marker) {
      this.marker = L.marker([lat, lon], {
        draggable: true,
        autoPan: true,
        keyboard: true,
        title: 'Point interrogé — faites-le glisser (ou flèches du clavier) pour ajuster',
        alt: 'Point interrogé',
      }).addTo(this.map);
      this.marker.on('dragend', () => {
        const p = this.marker.getLatLng();
        this.onPick(p.lat, p.lng);
      });
      this.marker.on('add', () => this.keyboardMoves());
      this.keyboardMoves();
    } else {
      this.marker.setLatLng([lat, lon]);
    }
  }

  /** The focused marker moves with the arrow keys (10 px a press, 50 with Shift), and the lookup
   *  runs once the keys are released: dragging, for keyboard users. */
  keyboardMoves() {
    const icon = this.marker && this.marker.getElement();
    if (!icon || icon.dataset.keys) return;
    icon.dataset.keys = '1';
    icon.setAttribute('aria-keyshortcuts', 'ArrowUp ArrowDown ArrowLeft ArrowRight');
    const steps = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] };
    const lookup = debounce(() => {
      const p = this.marker.getLatLng();
      this.onPick(p.lat, p.lng);
    }, 500);
    icon.addEventListener('keydown', (e) => {
      const step = steps[e.key];
      if (!step) return;
      e.preventDefault();
      e.stopPropagation();
      const px = e.shiftKey ? 50 : 10;
      const at = this.map.latLngToContainerPoint(this.marker.getLatLng()).add([step[0] * px, step[1] * px]);
      this.marker.setLatLng(this.map.containerPointToLatLng(at));
      lookup();
    });
  }

  /** Re-measures the map after its box changed size (printing) and centres it on `point`:
   *  Leaflet keeps the top-left corner on a resize, which would push the point off the fiche. */
  resized(point) {
    this.map.invalidateSize({ pan: false });
    if (point) this.map.setView([point.lat, point.lon], this.map.getZoom(), { animate: false });
  }

  /** Draws a project footprint (a ring of [lon, lat], from a permalink), editable, and frames it. */
  showFootprint(ring) {
    this.drawTool.load(ring);
    this.map.fitBounds(this.drawTool.bounds(), { maxZoom: 19, padding: [40, 40] });
  }

  /** Removes the marker (a drawn project is analysed, not a point). */
  clearMarker() {
    if (this.marker) this.marker.remove();
    this.marker = null;
  }

  clearHighlight() {
    this.highlight.clearLayers();
  }

  /** Draws a parcel outline: the analysed parcel (solid) or the nearest one offered (dashed). */
  showParcel(geometry, { nearest = false } = {}) {
    const layer = L.geoJSON(geometry, {
      renderer: this.hlRenderer,
      pane: 'pane-highlight',
      interactive: false,
      style: nearest
        ? { color: '#1d4e89', weight: 3, dashArray: '6 5', fillColor: '#1d4e89', fillOpacity: 0.12 }
        : { color: '#111', weight: 3.5, fillColor: '#ffeb3b', fillOpacity: 0.45 },
    });
    this.highlight.addLayer(layer);
    return layer;
  }

  /** Fetches the geometry of parcel `id` near (lat, lon) from the layers endpoint. */
  async parcelGeometry(id, lat, lon, radiusM = 30, signal) {
    const dLat = radiusM / 111320;
    const dLon = dLat / Math.max(0.01, Math.cos((lat * Math.PI) / 180));
    const bounds = L.latLngBounds([lat - dLat, lon - dLon], [lat + dLat, lon + dLon]);
    const data = await layersIn(bounds, 19, ['parcels'], signal);
    const fc = data.layers && data.layers.parcels;
    const f = fc && fc.features.find((x) => x.properties && x.properties.id === id);
    return f ? f.geometry : null;
  }

  fitGeometry(geometry) {
    const b = L.geoJSON(geometry).getBounds();
    if (b.isValid()) this.map.fitBounds(b, { maxZoom: 19, padding: [30, 30] });
  }

  /** Reloads the vector layers for the current view. */
  async refresh() {
    if (this.pending) this.pending.abort();
    const ctrl = new AbortController();
    this.pending = ctrl;
    const zoom = this.map.getZoom();
    const shown = this.layers.filter((l) => this.enabled.has(l.name) && !belowMinZoom(l, zoom));
    const names = shown.map((l) => l.name);
    // Layers switched off or out of their zoom range are emptied now, not after the request.
    for (const l of this.layers) if (!names.includes(l.name)) this.groups[l.name].clearLayers();
    if (!shown.some((l) => l.style === 'zones')) this.labels.clearLayers();
    if (!shown.some((l) => l.style === 'parcels')) this.parcelLabels.clearLayers();
    if (!shown.some((l) => l.style === 'communes')) this.communeLabels.clearLayers();
    this.layerStatus = {};
    if (names.length === 0) {
      this.updateLegendNotes();
      return;
    }
    this.container().setAttribute('aria-busy', 'true');
    try {
      const data = await layersIn(this.map.getBounds(), zoom, names, ctrl.signal);
      if (ctrl.signal.aborted) return;
      for (const l of shown) this.draw(l, data.layers[l.name], zoom);
      this.layerStatus = data.layers;
    } catch (e) {
      if (e.name === 'AbortError') return;
      this.layerStatus = { error: e instanceof ApiError ? e.message : String(e) };
    } finally {
      if (this.pending === ctrl) {
        this.pending = null;
        this.container().removeAttribute('aria-busy');
        this.container().dataset.layersLoaded = String(Date.now());
      }
    }
    this.updateLegendNotes();
  }

  container() {
    return this.map.getContainer();
  }

  draw(layer, fc, zoom) {
    const group = this.groups[layer.name];
    group.clearLayers();
    if (!fc) return;
    const renderer = this.renderers[layer.name];
    // Zoning zones have no label drawn on the map (their codes mean little alone): their name
    // shows on hover instead.
    const tooltip = layer.style === 'zoning';
    const className = tooltip ? 'zoning-shape' : '';
    group.addLayer(L.geoJSON(fc, {
      interactive: tooltip,
      style: (f) => ({ ...styleFor(layer, f.properties || {}, zoom, this.basemap), renderer, interactive: tooltip, className }),
      pointToLayer: (f, latlng) => L.circleMarker(latlng, {
        ...styleFor(layer, f.properties || {}, zoom, this.basemap), radius: 4, fillOpacity: 0.6, renderer, interactive: tooltip, className,
      }),
      onEachFeature: tooltip ? (f, l) => {
        const p = f.properties || {};
        // The zone's label alone: it names its theme already ("Secteur d'anciennes carrières n° 1"),
        // and a long tooltip runs off the map.
        l.bindTooltip(p.label && p.label !== p.code ? p.label : `Zone ${p.code}`, { sticky: true });
      } : null,
    }));
    if (layer.style === 'zones') this.drawZoneLabels(fc, zoom);
    if (layer.style === 'parcels') this.drawParcelNumbers(fc, zoom);
    if (layer.style === 'communes') this.drawCommuneNames(fc, zoom);
  }

  /** Commune names at mid zoom, inside each commune: with no basemap they name the places. */
  drawCommuneNames(fc, zoom) {
    this.communeLabels.clearLayers();
    if (zoom < COMMUNE_NAME_ZOOMS[0] || zoom > COMMUNE_NAME_ZOOMS[1]) return;
    for (const f of fc.features) {
      const p = f.properties || {};
      if (!p.label_at || !p.name) continue;
      this.communeLabels.addLayer(L.marker([p.label_at[1], p.label_at[0]], {
        pane: 'pane-labels',
        interactive: false,
        keyboard: false,
        icon: L.divIcon({ className: 'commune-label-icon', html: el('span', { 'data-insee': p.insee }, p.name), iconSize: null }),
      }));
    }
  }

  /** Parcel numbers (without their leading zeros, as on the cadastral plan) inside each parcel. */
  drawParcelNumbers(fc, zoom) {
    this.parcelLabels.clearLayers();
    if (zoom < PARCEL_NUMBER_ZOOM || fc.features.length > MAX_PARCEL_NUMBERS) return;
    for (const f of fc.features) {
      const p = f.properties || {};
      if (!p.label_at || !p.numero) continue;
      const span = el('span', { 'data-parcel': p.id }, p.numero.replace(/^0+(?=.)/, ''));
      this.parcelLabels.addLayer(L.marker([p.label_at[1], p.label_at[0]], {
        pane: 'pane-labels',
        interactive: false,
        keyboard: false,
        icon: L.divIcon({ className: 'parcel-label-icon', html: span, iconSize: null }),
      }));
    }
  }

  /** Zone codes (LIBELLE) at a point inside each zone, once the zones are big enough to read. */
  drawZoneLabels(fc, zoom) {
    this.labels.clearLayers();
    if (zoom < 14 || fc.features.length > 400) return;
    for (const f of fc.features) {
      const p = f.properties || {};
      if (!p.label_at || !p.libelle) continue;
      const span = el('span', {}, p.libelle);
      this.labels.addLayer(L.marker([p.label_at[1], p.label_at[0]], {
        pane: 'pane-labels',
        interactive: false,
        keyboard: false,
        icon: L.divIcon({ className: 'zone-label-icon', html: span, iconSize: null }),
      }));
    }
  }

  addLegend() {
    const phone = window.matchMedia('(max-width: 820px)').matches;
    // On a phone the bottom edge belongs to the attribution and the scale: legend at the top right.
    const legend = L.control({ position: phone ? 'topright' : 'bottomleft' });
    legend.onAdd = () => {
      const body = el('div', { class: 'legend-body', id: 'legend-body' });
      body.append(el('h3', {}, 'Couches'));
      for (const l of this.layers) {
        const box = el('input', { type: 'checkbox', 'data-layer': l.name, checked: this.enabled.has(l.name) });
        box.addEventListener('change', () => {
          if (box.checked) this.enabled.add(l.name);
          else this.enabled.delete(l.name);
          this.refresh();
        });
        const note = el('span', { class: 'layer-note' });
        this.notes[l.name] = note;
        body.append(el('label', {}, box, el('span', { class: 'sw', style: swatchFor(l) }), l.label), note);
        if (l.style === 'zones') {
          body.append(el('div', { class: 'zone-keys', title: 'U urbaine, AU à urbaniser, A agricole, N naturelle' },
            el('span', { class: 'fam-U' }, 'U'), el('span', { class: 'fam-AU' }, 'AU'),
            el('span', { class: 'fam-A' }, 'A'), el('span', { class: 'fam-N' }, 'N')));
        }
        if (l.style === 'risks') {
          const key = (effect, text) => el('span', { style: `background:${RISK_COLOURS[effect]};color:#fff` }, text);
          body.append(el('div', { class: 'zone-keys' },
            key('ban', 'interdiction'), key('conditions', 'conditions'), key('unknown', 'autre')));
        }
      }
      const toggle = el('button', { type: 'button', class: 'legend-toggle', 'aria-controls': 'legend-body', 'aria-expanded': 'true' }, 'Légende');
      toggle.addEventListener('click', () => {
        body.hidden = !body.hidden;
        toggle.setAttribute('aria-expanded', String(!body.hidden));
      });
      // On a phone the legend starts folded so that it does not hide the map.
      if (phone) {
        body.hidden = true;
        toggle.setAttribute('aria-expanded', 'false');
      }
      this.legendError = el('p', { class: 'layer-note', role: 'status' });
      body.append(this.legendError);
      const div = el('div', { class: 'legend' }, toggle, body);
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    legend.addTo(this.map);
  }

  updateLegendNotes() {
    const zoom = this.map.getZoom();
    for (const l of this.layers) {
      const st = this.layerStatus[l.name];
      let text = '';
      if (this.enabled.has(l.name) && belowMinZoom(l, zoom)) {
        text = `visibles à partir du zoom ${l.min_zoom} (zoomez)`;
      } else if (st && st.capped) {
        text = `${st.returned} sur ${st.total} affichées (les plus grandes) : zoomez`;
      }
      this.notes[l.name].textContent = text;
    }
    if (this.legendError) {
      this.legendError.textContent = this.layerStatus.error ? `Couches indisponibles : ${this.layerStatus.error}` : '';
    }
  }

  /** Pins for the example places, shown zoomed out (where a newcomer starts): they tell where
   *  the loaded data is, and a click (or Entrée on a focused pin) opens the example. */
  addExamplePins(examples, onChoose) {
    const pins = L.layerGroup();
    for (const ex of examples) {
      const pin = L.marker([ex.lat, ex.lon], {
        title: `${ex.title} — ${ex.what}`,
        alt: ex.title,
        keyboard: true,
        riseOnHover: true,
        icon: L.divIcon({ className: 'example-pin', iconSize: [16, 16] }),
      });
      pin.on('click', () => onChoose(ex));
      pins.addLayer(pin);
    }
    const toggle = () => {
      if (this.map.getZoom() < 11) pins.addTo(this.map);
      else pins.remove();
    };
    this.map.on('zoomend', toggle);
    toggle();
  }

  /** A button to query the centre of the map: the keyboard way to choose a point. */
  addCentreButton() {
    const ctl = L.control({ position: 'topleft' });
    ctl.onAdd = () => {
      const b = el('a', {
        href: '#', role: 'button', class: 'centre-btn', title: 'Interroger le centre de la carte',
        'aria-label': 'Interroger le centre de la carte',
      });
      // A crosshair drawn in SVG: the Unicode sign is missing from many fonts.
      b.innerHTML = '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><circle cx="12" cy="12" r="6" '
        + 'fill="none" stroke="currentColor" stroke-width="2"/><path d="M12 1v6M12 17v6M1 12h6M17 12h6" '
        + 'stroke="currentColor" stroke-width="2"/><circle cx="12" cy="12" r="1.6" fill="currentColor"/></svg>';
      b.addEventListener('click', (e) => {
        e.preventDefault();
        const c = this.map.getCenter();
        this.pick(c.lat, c.lng);
      });
      const div = el('div', { class: 'leaflet-bar leaflet-control' }, b);
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    ctl.addTo(this.map);
  }
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
