// Time presets: buttons that set the range in one click — the whole span, its last twelve months,
// and each calendar year of it.
import { el } from './dom.js';

/** The presets over `months` ("YYYY-MM", in order): [{ id, label, title, from, to }] as indices. */
export function presetsOf(months) {
  const n = months.length;
  const out = [
    { id: 'all', label: 'All', title: 'The whole span of the data', from: 0, to: n - 1 },
    { id: 'last12', label: 'Last 12 months', title: 'The last twelve months of the data', from: Math.max(0, n - 12), to: n - 1 },
  ];
  const years = [...new Set(months.map((m) => m.slice(0, 4)))];
  for (const y of years) {
    out.push({ id: y, label: y, title: `The year ${y}`, from: months.findIndex((m) => m.startsWith(y)), to: months.findLastIndex((m) => m.startsWith(y)) });
  }
  return out;
}

/**
 * Fills `box` with a button per preset; `onPick(from, to)` gets its month indices. The returned
 * `mark(from, to)` presses the button whose range is the current one.
 */
export function drawPresets(box, months, onPick) {
  const presets = presetsOf(months);
  const buttons = presets.map((p) => el('button', {
    type: 'button', 'data-preset': p.id, title: p.title, 'aria-pressed': 'false',
    onclick: () => onPick(p.from, p.to),
  }, p.label));
  box.replaceChildren(...buttons);
  return {
    mark(from, to) {
      presets.forEach((p, i) => buttons[i].setAttribute('aria-pressed', String(p.from === from && p.to === to)));
    },
  };
}
