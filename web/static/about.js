// "About this map": the methodology dialog (static text in index.html) with the data's version,
// when it last changed (the API's timeStamp) and the documents behind it, read from the API when
// the dialog is first opened.
import { el } from './dom.js';
import { dataset } from './dataset.js';

const $ = (id) => document.getElementById(id);

/** "1 Dec 2026, 16:45 UTC" for an RFC 3339 time. */
function whenText(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' })} UTC`;
}

export function createAbout() {
  const dialog = $('about');
  const opener = [...document.querySelectorAll('[data-opens="about"]')];
  let last = null;

  async function fill() {
    const out = $('about-changed');
    try {
      const data = await dataset();
      out.replaceChildren('Data changed at ', el('time', { datetime: data.changedAt }, whenText(data.changedAt)),
        data.version ? ` (version ${data.version})` : '', '.');
      out.dataset.changed = data.changedAt;
      $('about-documents').replaceChildren(...[...data.documents.values()].map((d) => el('li', {},
        el('strong', {}, d.id), ' — ', [d.author, el('cite', {}, d.title), d.publisher, d.published].filter(Boolean).flatMap((x, i) => (i ? [', ', x] : [x])),
        /^https?:\/\//i.test(d.url || '') ? [' ', el('a', { href: d.url, rel: 'noreferrer noopener', target: '_blank' }, 'link')] : null)));
    } catch (e) {
      out.textContent = `When the data changed could not be read: ${e.message}`;
    }
  }

  for (const b of opener) {
    b.addEventListener('click', (e) => {
      e.preventDefault();
      last = document.activeElement;
      fill();
      dialog.showModal();
    });
  }
  $('about-close').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => { if (last && last.focus) last.focus(); });
  // A click on the backdrop (outside the box) closes it too.
  dialog.addEventListener('click', (e) => { if (e.target === dialog) dialog.close(); });
}
