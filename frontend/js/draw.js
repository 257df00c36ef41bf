// Drawing a project footprint on the map: a polygon drawn vertex by vertex, edited by dragging
// its vertices, measured as it changes (geodesic area) and handed to the page for analysis
// (POST /api/lookup). A small tool of our own rather than a plugin: it needs French texts, a
// keyboard way to add vertices (the centre of the map, which the arrow keys move) and nothing else.
//
// While drawing, map clicks add vertices instead of running a point lookup (MapView asks
// `capturing`). A click on the first vertex, a double click or « Terminer » closes the polygon.

import { el, area } from './format.js';

const L = window.L;

// GRS80 / WGS84 ellipsoid.
const A = 6378137;
const E2 = 0.00669438002290;

/** Vertices closer than this (in screen pixels) to the previous one are the same click (a double
 *  click sends two clicks before its dblclick). */
const SAME_CLICK_PX = 4;

/**
 * Area in m² of a ring of [lon, lat] positions (WGS84), on the ellipsoid: the spherical-excess sum
 * (Chamberlain & Duquette, JPL 2007, the formula of Leaflet.draw and Turf) on the sphere that has
 * the ellipsoid's Gaussian curvature at the ring's mean latitude, R = √(M·N). For a footprint
 * under a kilometre across that sphere and the ellipsoid agree far below a square metre; the plain
 * equatorial radius would overstate an area by 0.25 % at 44° N.
 * @param {Array<[number, number]>} ring open or closed
 */
export function geodesicArea(ring) {
  const n = ring.length;
  if (n < 3) return 0;
  const rad = Math.PI / 180;
  const meanLat = (ring.reduce((s, p) => s + p[1], 0) / n) * rad;
  const w = 1 - E2 * Math.sin(meanLat) ** 2;
  const radius = Math.sqrt((A * (1 - E2)) / w ** 1.5 * (A / Math.sqrt(w)));
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const [lon1, lat1] = ring[i];
    const [lon2, lat2] = ring[(i + 1) % n];
    sum += (lon2 - lon1) * rad * (2 + Math.sin(lat1 * rad) + Math.sin(lat2 * rad));
  }
  return Math.abs((sum * radius * radius) / 2);
}

/** The drawing tool: a control in the map's top-left corner and the shapes it draws. */
export class DrawTool {
  /**
   * @param {L.Map} map
   * @param {{onFootprint: (geometry: object) => void}} handlers called with a closed GeoJSON
   *   Polygon when a drawing is closed and after each edit
   */
  constructor(map, { onFootprint }) {
    this.map = map;
    this.onFootprint = onFootprint;
    this.vertices = [];
    this.capturing = false;
    const pane = map.createPane('pane-draw');
    // Above the data and the highlighted parcel (490), under the markers (600).
    pane.style.zIndex = '495';
    this.renderer = L.svg({ pane: 'pane-draw' });
    this.shapes = L.layerGroup().addTo(map);
    this.handles = L.layerGroup().addTo(map);
    this.addControl();
    map.on('click', (e) => {
      if (this.capturing) this.addVertex(e.latlng, e.containerPoint);
    });
    map.on('dblclick', (e) => {
      if (!this.capturing) return;
      L.DomEvent.stop(e.originalEvent);
      this.finish();
    });
    map.on('mousemove', (e) => {
      if (this.capturing) this.drawRubberBand(e.latlng);
    });
    map.getContainer().addEventListener('keydown', (e) => {
      if (!this.capturing) return;
      if (e.key === 'Escape') this.cancel();
      else if (e.key === 'Backspace') {
        this.vertices.pop();
        this.redraw();
      }
    });
  }

  addControl() {
    // On a phone the top-left corner (zoom, centre button) reaches the middle of the short map,
    // where the centre cross is: the tool goes to the bottom left, above the attribution.
    const phone = window.matchMedia('(max-width: 820px)').matches;
    const ctl = L.control({ position: phone ? 'bottomleft' : 'topleft' });
    ctl.onAdd = () => {
      const button = (testid, text, onclick, cls = '') => el('button', {
        type: 'button', class: `draw-btn ${cls}`, 'data-testid': testid, onclick,
      }, text);
      this.btnStart = button('draw-start', 'Dessiner un projet', () => this.start(), 'draw-main');
      this.btnCentre = button('draw-centre', 'Ajouter le centre', () => {
        const c = this.map.getCenter();
        this.addVertex(c, this.map.latLngToContainerPoint(c));
      });
      this.btnFinish = button('draw-finish', 'Terminer', () => this.finish(), 'btn-primary');
      this.btnCancel = button('draw-cancel', 'Annuler', () => this.cancel());
      this.btnClear = button('draw-clear', 'Effacer le dessin', () => this.clear());
      this.hint = el('p', { class: 'draw-hint', id: 'draw-hint' });
      this.measure = el('p', { class: 'draw-area', 'data-testid': 'draw-area', role: 'status', 'aria-live': 'polite' });
      this.served = el('p', { class: 'draw-area', 'data-testid': 'draw-served-area' });
      this.box = el('div', { class: 'draw-box', hidden: true },
        this.hint, this.measure, this.served,
        el('div', { class: 'draw-actions' }, this.btnCentre, this.btnFinish, this.btnCancel, this.btnClear));
      const div = el('div', { class: 'leaflet-control draw-control no-print', role: 'group', 'aria-label': 'Dessin d\'un projet' },
        this.btnStart, this.box);
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    ctl.addTo(this.map);
    this.updateControl();
  }

  /** Starts a new drawing (the previous one is removed). */
  start() {
    this.clear();
    this.capturing = true;
    this.map.doubleClickZoom.disable();
    this.map.getContainer().classList.add('drawing');
    this.updateControl();
    this.btnCentre.focus();
  }

  addVertex(latlng, point) {
    const last = this.vertices[this.vertices.length - 1];
    if (last && this.map.latLngToContainerPoint(last).distanceTo(point) <= SAME_CLICK_PX) return;
    this.vertices.push(latlng);
    this.redraw();
  }

  /** Closes the polygon (three vertices at least) and hands it over for analysis. */
  finish() {
    if (this.vertices.length < 3) return;
    this.stopCapturing();
    this.redraw();
    this.onFootprint(this.geometry());
  }

  cancel() {
    this.stopCapturing();
    this.clear();
  }

  /** Removes the drawing. */
  clear() {
    this.vertices = [];
    this.closed = false;
    this.servedArea = null;
    this.shapes.clearLayers();
    this.handles.clearLayers();
    this.updateControl();
  }

  stopCapturing() {
    this.capturing = false;
    this.closed = this.vertices.length >= 3;
    this.map.doubleClickZoom.enable();
    this.map.getContainer().classList.remove('drawing');
  }

  /** Shows a footprint given as a ring of [lon, lat] (a permalink), closed and editable. */
  load(ring) {
    this.clear();
    this.vertices = ring.map(([lon, lat]) => L.latLng(lat, lon));
    this.closed = this.vertices.length >= 3;
    this.redraw();
  }

  /** The area the service measured for the footprint analysed (`scope.area_m2` of its answer). */
  setServedArea(m2) {
    this.servedArea = m2;
    this.updateControl();
  }

  /** The drawing as an open ring of [lon, lat], or null while it is not a polygon. */
  ring() {
    return this.closed ? this.vertices.map((v) => [v.lng, v.lat]) : null;
  }

  /** The closed drawing as a GeoJSON Polygon. */
  geometry() {
    const ring = this.ring();
    return { type: 'Polygon', coordinates: [[...ring, ring[0]]] };
  }

  bounds() {
    return L.latLngBounds(this.vertices);
  }

  drawRubberBand(latlng) {
    const last = this.vertices[this.vertices.length - 1];
    if (!last) return;
    if (!this.band) {
      this.band = L.polyline([last, latlng], {
        renderer: this.renderer, interactive: false, color: '#0b3d91', weight: 2, dashArray: '4 4',
      });
    }
    this.band.setLatLngs([last, latlng]);
    if (!this.shapes.hasLayer(this.band)) this.shapes.addLayer(this.band);
  }

  redraw() {
    this.shapes.clearLayers();
    this.handles.clearLayers();
    this.band = null;
    const style = { renderer: this.renderer, interactive: false, color: '#0b3d91', weight: 3 };
    if (this.closed) {
      this.shapes.addLayer(L.polygon(this.vertices, { ...style, fillColor: '#2979ff', fillOpacity: 0.25 }));
      this.vertices.forEach((v, i) => this.handles.addLayer(this.editHandle(v, i)));
    } else if (this.vertices.length) {
      this.shapes.addLayer(L.polyline(this.vertices, style));
      this.vertices.forEach((v, i) => {
        const first = i === 0 && this.vertices.length >= 3;
        const dot = L.circleMarker(v, {
          renderer: this.renderer, radius: first ? 7 : 4, color: '#0b3d91', weight: 2,
          fillColor: first ? '#ffeb3b' : '#fff', fillOpacity: 1,
          // Only the first vertex is clickable (it closes the polygon), and its click must not
          // reach the map, which would add a vertex or run a lookup.
          interactive: first, bubblingMouseEvents: false,
        });
        if (first) dot.on('click', () => this.finish());
        this.shapes.addLayer(dot);
      });
    }
    this.updateControl();
  }

  /** A draggable square on vertex `i`: dragging reshapes the polygon, dropping re-analyses it. */
  editHandle(latlng, i) {
    const handle = L.marker(latlng, {
      draggable: true,
      // Not a tab stop: the keyboard redraws instead (« Nouveau dessin », « Ajouter le centre »).
      keyboard: false,
      title: `Sommet ${i + 1} du projet : faites-le glisser pour modifier le dessin`,
      alt: `Sommet ${i + 1}`,
      icon: L.divIcon({ className: 'draw-vertex', iconSize: [14, 14] }),
    });
    handle.on('drag', () => {
      this.vertices[i] = handle.getLatLng();
      this.shapes.eachLayer((l) => l.setLatLngs(this.vertices));
      this.servedArea = null;
      this.updateControl();
    });
    handle.on('dragend', () => this.onFootprint(this.geometry()));
    return handle;
  }

  updateControl() {
    if (!this.box) return;
    const n = this.vertices.length;
    const drawing = this.capturing;
    this.box.hidden = !drawing && !this.closed;
    this.btnStart.textContent = this.closed ? 'Nouveau dessin' : 'Dessiner un projet';
    this.btnStart.hidden = drawing;
    this.btnCentre.hidden = !drawing;
    this.btnFinish.hidden = !drawing;
    this.btnFinish.disabled = n < 3;
    this.btnCancel.hidden = !drawing;
    this.btnClear.hidden = drawing;
    if (drawing) {
      this.hint.textContent = n < 3
        ? 'Cliquez sur la carte pour placer les sommets du projet (ou « Ajouter le centre »). Échap annule.'
        : 'Cliquez sur le premier sommet, double-cliquez ou choisissez « Terminer » pour fermer le dessin.';
    } else {
      this.hint.textContent = 'Faites glisser un sommet pour modifier le dessin.';
    }
    const m2 = n >= 3 ? geodesicArea(this.vertices.map((v) => [v.lng, v.lat])) : null;
    this.measure.textContent = m2 === null
      ? `${n} sommet${n > 1 ? 's' : ''} placé${n > 1 ? 's' : ''}`
      : `Surface dessinée : ${area(m2)}`;
    this.served.textContent = this.servedArea ? `Surface analysée par le service : ${area(this.servedArea)}` : '';
    this.served.hidden = !this.servedArea;
  }
}
