// The search box: debounced autocomplete of addresses (the BAN-compatible /search/ endpoint) and of
// cadastral parcel references (/api/parcels: "91216000AB0037", "91216 AB 37", "AB 37 Épinay"),
// parcels first; ARIA 1.2 combobox with keyboard navigation (↑ ↓ Entrée Échap), and a clear
// message when nothing matches.

import { searchAddress, searchParcels } from './api.js';
import { el, debounce, parcelRef } from './format.js';

const MIN_CHARS = 3;
const DELAY_MS = 200;

export class AddressSearch {
  /** @param {{onChoose: (feature: object) => void, near?: () => ({lat:number, lon:number}|null)}} handlers */
  constructor({ onChoose, near }) {
    this.onChoose = onChoose;
    this.near = near || (() => null);
    this.form = document.getElementById('search-form');
    this.input = document.getElementById('search-input');
    this.list = document.getElementById('search-list');
    this.status = document.getElementById('search-status');
    this.clear = document.getElementById('search-clear');
    this.items = [];
    this.active = -1;
    this.ctrl = null;
    this.seq = 0;

    const run = debounce(() => this.query(), DELAY_MS);
    this.input.addEventListener('input', () => {
      this.clear.hidden = this.input.value === '';
      if (this.input.value.trim().length < MIN_CHARS) {
        this.close();
        return;
      }
      run();
    });
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    this.input.addEventListener('blur', () => setTimeout(() => this.close(), 150));
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      // Enter with no highlighted suggestion takes the first one, as users expect.
      if (this.items.length) this.choose(this.active >= 0 ? this.active : 0);
      else this.query(true);
    });
    this.clear.addEventListener('click', () => {
      this.input.value = '';
      this.clear.hidden = true;
      this.close();
      this.input.focus();
    });
  }

  setText(text) {
    this.input.value = text || '';
    this.clear.hidden = !text;
  }

  async query(chooseFirst = false) {
    const q = this.input.value.trim();
    if (q.length < MIN_CHARS) return;
    if (this.ctrl) this.ctrl.abort();
    this.ctrl = new AbortController();
    const seq = ++this.seq;
    this.status.textContent = 'Recherche…';
    try {
      const signal = this.ctrl.signal;
      // A service without /api/parcels (older versions) still suggests addresses.
      const [fc, parcels] = await Promise.all([
        searchAddress(q, signal, this.near()),
        searchParcels(q, signal).catch((e) => {
          if (e.name === 'AbortError') throw e;
          return null;
        }),
      ]);
      if (seq !== this.seq) return;
      const addresses = (fc.features || []).filter((f) => f.geometry && f.geometry.coordinates);
      this.items = [...parcelFeatures(parcels), ...addresses];
      this.render();
      if (chooseFirst && this.items.length) this.choose(0);
    } catch (e) {
      if (e.name === 'AbortError') return;
      this.items = [];
      this.renderMessage(`Recherche indisponible : ${e.message}`);
    }
  }

  render() {
    this.list.replaceChildren();
    this.active = -1;
    if (!this.items.length) {
      this.renderMessage(`Aucun résultat pour « ${this.input.value.trim()} ». Vérifiez l'orthographe ou la référence cadastrale (ex. 91216 AB 37), ou cliquez sur la carte.`);
      return;
    }
    this.items.forEach((f, i) => {
      const p = f.properties || {};
      const context = p.type === 'parcel'
        ? `Parcelle cadastrale · ${parcelRef(p.parcel)}`
        : [p.postcode, p.city !== p.name ? p.city : null, p.context].filter(Boolean).join(' · ');
      const li = el('li', { id: `search-opt-${i}`, role: 'option', 'aria-selected': 'false' },
        el('span', { class: 's-label' }, p.label || p.name || 'Adresse'),
        context ? el('span', { class: 's-context' }, context) : null);
      // mousedown, not click: it fires before the input's blur closes the list.
      li.addEventListener('mousedown', (e) => {
        e.preventDefault();
        this.choose(i);
      });
      this.list.append(li);
    });
    this.open();
    this.status.textContent = `${this.items.length} proposition${this.items.length > 1 ? 's' : ''}`;
  }

  renderMessage(text) {
    this.list.replaceChildren(el('li', { class: 's-empty', role: 'option', 'aria-disabled': 'true' }, text));
    this.open();
    this.status.textContent = text;
  }

  open() {
    this.list.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
  }

  close() {
    this.list.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
    this.active = -1;
    this.status.textContent = '';
  }

  onKey(e) {
    const n = this.items.length;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (this.list.hidden) {
        if (n) this.open();
        else return;
      }
      e.preventDefault();
      if (!n) return;
      const step = e.key === 'ArrowDown' ? 1 : -1;
      this.setActive((this.active + step + n) % n);
    } else if (e.key === 'Escape') {
      if (!this.list.hidden) {
        e.preventDefault();
        this.close();
      }
    } else if (e.key === 'Home' && !this.list.hidden && n) {
      e.preventDefault();
      this.setActive(0);
    } else if (e.key === 'End' && !this.list.hidden && n) {
      e.preventDefault();
      this.setActive(n - 1);
    }
  }

  setActive(i) {
    this.active = i;
    [...this.list.children].forEach((li, k) => li.setAttribute('aria-selected', String(k === i)));
    const li = this.list.children[i];
    if (li) {
      this.input.setAttribute('aria-activedescendant', li.id);
      li.scrollIntoView({ block: 'nearest' });
    }
  }

  choose(i) {
    const f = this.items[i];
    if (!f) return;
    this.setText((f.properties && f.properties.label) || this.input.value);
    this.close();
    this.items = [];
    this.onChoose(f);
  }
}

/**
 * The parcels of an /api/parcels answer as point features shaped like the address suggestions, so
 * that choosing one works the same way: the point lies inside the parcel, whose lookup answers it.
 */
function parcelFeatures(answer) {
  return ((answer && answer.parcels) || [])
    .filter((c) => Number.isFinite(c.lon) && Number.isFinite(c.lat))
    .map((c) => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [c.lon, c.lat] },
      properties: { type: 'parcel', parcel: c.id, label: c.label },
    }));
}
