// The data served, as a citation needs it: its version (the first part of every answer's ETag,
// the `version` of /readyz), when it last changed (the `timeStamp` of an items answer) and the
// documents the records cite (/api/sources). Asked once for the page's life.
let kept = null;

/** The version in an entity tag `W/"<version>.<change time>-<16 hex digits>"`, or null. */
export function versionOf(etag) {
  const m = /^(?:W\/)?"([^".]+)\.[0-9a-f]+-[0-9a-f]{16}"$/.exec(etag || '');
  return m ? m[1] : null;
}

/** { version, changedAt, documents: Map(id → document) }; documents as /api/sources gives them. */
export function dataset() {
  if (!kept) {
    const get = async (path) => {
      const r = await fetch(new URL(path, window.location.origin));
      if (!r.ok) throw new Error(`${path}: ${r.status}`);
      return { etag: r.headers.get('ETag'), body: await r.json() };
    };
    kept = Promise.all([get('/api/collections/incidents/items?limit=1'), get('/api/sources')]).then(([items, sources]) => ({
      version: versionOf(items.etag) || versionOf(sources.etag),
      changedAt: items.body.timeStamp || null,
      documents: new Map((sources.body.sources || []).map((s) => [s.id, s])),
    })).catch((e) => { kept = null; throw e; });
  }
  return kept;
}

/** Today in the reader's calendar, "2026-12-01" (the access date of a citation). */
export function today() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
