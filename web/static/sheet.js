// On a phone (a narrow screen) the map takes the screen and the panel is a bottom sheet below it:
// lowered, it shows a handle and the status line under a map of four fifths of the screen;
// half-way, the selection or the list in the lower half, the map above; raised, nearly the whole
// screen. The map shrinks as the sheet rises rather than lying under it, so nothing drawn is
// hidden behind the sheet. The handle is a button (tap:
// the next height; drag: any of the three; the keyboard: Enter or Space). Opening a record or a
// jurisdiction raises the sheet half-way, so the card is seen at once and the map still shows where.
// The sheet scrolls on its own; the page never does. On a wide screen none of this applies.
import { el } from './dom.js';

const $ = (id) => document.getElementById(id);
const HEIGHTS = ['low', 'half', 'full'];
const LABEL = { low: 'Show the records and controls', half: 'Show more', full: 'Lower the panel to see the map' };

export function createSheet(map) {
  const panel = $('panel');
  const narrow = window.matchMedia('(max-width: 760px)');
  const handle = el('button', { type: 'button', id: 'sheet-handle', 'aria-controls': 'panel' }, el('span', { class: 'grip', 'aria-hidden': 'true' }));
  panel.prepend(handle);

  function set(h) {
    panel.dataset.sheet = h;
    handle.setAttribute('aria-label', LABEL[h]);
    handle.setAttribute('aria-expanded', String(h !== 'low'));
    // The map's own controls (zoom, credits) stay above the sheet.
    document.body.dataset.sheet = narrow.matches ? h : '';
    // The map's top-left stays where it is, so what the reader tapped does not jump.
    map.invalidateSize({ pan: false });
  }

  handle.addEventListener('click', (e) => {
    if (handle.dataset.dragged === 'true') { handle.dataset.dragged = 'false'; e.preventDefault(); return; }
    const i = HEIGHTS.indexOf(panel.dataset.sheet);
    set(HEIGHTS[(i + 1) % HEIGHTS.length]);
  });

  // Dragging the handle: where the finger is let go picks the nearest of the three heights.
  let drag = null;
  handle.addEventListener('pointerdown', (e) => {
    if (!narrow.matches) return;
    drag = { y: e.clientY, h: panel.getBoundingClientRect().height, moved: false };
    handle.setPointerCapture(e.pointerId);
  });
  handle.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const dy = e.clientY - drag.y;
    if (Math.abs(dy) > 8) drag.moved = true;
    if (drag.moved) panel.style.height = `${Math.min(window.innerHeight - 60, Math.max(80, drag.h - dy))}px`;
  });
  const release = (e) => {
    if (!drag) return;
    const { moved } = drag;
    drag = null;
    panel.style.height = '';
    if (!moved) return;
    handle.dataset.dragged = 'true';
    const share = 1 - e.clientY / window.innerHeight;
    set(share > 0.7 ? 'full' : share > 0.3 ? 'half' : 'low');
  };
  handle.addEventListener('pointerup', release);
  handle.addEventListener('pointercancel', release);

  narrow.addEventListener('change', () => set(panel.dataset.sheet || 'low'));
  set('low');

  return {
    /** Raises the sheet to at least half-way (a card or a list was opened), its top in sight. */
    reveal() {
      if (!narrow.matches) return;
      if (panel.dataset.sheet === 'low') set('half');
      panel.scrollTop = 0;
    },
    /**
     * Pans the least needed to bring `latlng` back into the map if the risen sheet took the part
     * of the map it was in (a record tapped low on the screen); otherwise the map does not move.
     */
    keepInSight(latlng) {
      if (!narrow.matches || !latlng) return;
      const p = map.latLngToContainerPoint(latlng);
      const h = map.getSize().y;
      if (p.y > h - 24) map.panBy([0, p.y - h + 48], { animate: false });
    },
    /** Lowers the sheet (the reader went back to the map). */
    lower() { if (narrow.matches) set('low'); },
  };
}
