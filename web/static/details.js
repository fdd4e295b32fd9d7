// The selection: a record's card or a jurisdiction's list, shown at the top of the panel (scrolled
// into sight at once, on a phone too), with the selected thing highlighted on the map. Opening
// something never moves the map; a refresh never takes the selection away.
import { el, icon } from './dom.js';
import { recordCard, recordList } from './card.js';

const L = window.L;
const $ = (id) => document.getElementById(id);

export function createDetails(map, { onClose, onShow = () => {} }) {
  const box = $('details');
  const section = $('selection');
  const halo = L.marker([0, 0], { icon: L.divIcon({ className: 'selection-halo', iconSize: [34, 34] }), interactive: false, keyboard: false, pane: 'selectionPane' });
  const outline = L.geoJSON(null, { pane: 'selectionPane', interactive: false, style: { color: '#0b2a4a', weight: 3, fill: false } }).addTo(map);

  function show(key, title, ...content) {
    const close = el('button', { type: 'button', class: 'close', title: 'Close', 'aria-label': 'Close the selection', onclick: () => onClose() }, icon('close'));
    // The same selection drawn again (the kinds, time or filters changed) keeps the panel where
    // the reader is; a new one is brought into sight.
    const again = !section.hidden && box.dataset.key === key;
    box.dataset.key = key;
    box.replaceChildren(el('div', { class: 'sel-head' }, el('h2', { id: 'sel-h' }, title), close), ...content.filter((c) => c !== null && c !== undefined));
    section.hidden = false;
    if (again) return;
    onShow();
    // The card is at the top of the panel, the one thing that scrolls: bring it into sight
    // without moving the map. Not by scrollIntoView: Chromium moves the keyboard's starting point
    // to what that scrolls to, so a permalink's first Tab would land in the card, past the skip link.
    $('panel').scrollTop = 0;
  }

  let outlined = null;
  function drawOutline() {
    outline.clearLayers();
    if (outlined) outline.addData(outlined);
  }
  function highlight(feature, area) {
    outlined = area;
    drawOutline();
    if (feature && feature.geometry && !['country', 'province'].includes(feature.properties.geo_precision)) {
      const [lon, lat] = feature.geometry.coordinates;
      halo.setLatLng([lat, lon]).addTo(map);
    } else map.removeLayer(halo);
  }

  return {
    /** A record's card; `area` (a boundary feature) is outlined when the record is known only to it. */
    record(f, win, area) {
      show(`record:${f.properties.id}`, 'Selected record', recordCard(f, win));
      highlight(f, area);
    },
    /** A list of records under a heading, with notes (and a jurisdiction's profile); a pick opens the card. */
    list(title, notes, features, onPick, win, area, profile = null) {
      show(`list:${title}`, title, ...notes.filter(Boolean).map((n) => el('p', { class: 'hint' }, n)), profile,
        features.length ? recordList(features, onPick, win) : el('p', { class: 'hint' }, 'No records of the checked kinds in the selected time.'));
      highlight(null, area);
    },
    /** A permalink's record that the data no longer holds. */
    missing(id) {
      show(`missing:${id}`, 'Record not found', el('p', { class: 'missing', role: 'alert' },
        'The record “', el('code', {}, id), '” named in this link is not in the data: it may have been removed or renamed.'));
      highlight(null, null);
    },
    clear() {
      section.hidden = true;
      delete box.dataset.key;
      box.replaceChildren();
      highlight(null, null);
    },
    /** Re-draws the highlight of the current selection (after a refresh). */
    rehighlight: highlight,
    /** Draws the selected area's outline again from its feature (its geometry was replaced). */
    reoutline: drawOutline,
  };
}
