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
 * Which one preset is pressed for the range `from`–`to`: the one last picked if it still is that
 * range (two presets can be one range: the last twelve months of data ending in December are its
 * last year), else the first whose range it is, else none. Returns its index or -1.
 */
export function pressedPreset(presets, from, to, picked) {
  const is = (p) => p.from === from && p.to === to;
  const mine = presets.findIndex((p) => p.id === picked);
  return mine >= 0 && is(presets[mine]) ? mine : presets.findIndex(is);
}

/**
 * Fills `box` with a button per preset; `onPick(from, to)` gets its month indices. The returned
 * `mark(from, to)` presses the one button for the current range (pressedPreset).
 */
export function drawPresets(box, months, onPick) {
  const presets = presetsOf(months);
  let picked = null;
  const buttons = presets.map((p) => el('button', {
    type: 'button', 'data-preset': p.id, title: p.title, 'aria-pressed': 'false',
    onclick: () => { picked = p.id; onPick(p.from, p.to); },
  }, p.label));
  box.replaceChildren(...buttons);
  return {
    mark(from, to) {
      const on = pressedPreset(presets, from, to, picked);
      buttons.forEach((b, i) => b.setAttribute('aria-pressed', String(i === on)));
    },
  };
}
