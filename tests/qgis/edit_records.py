"""QGIS (PyQGIS, offscreen) edits the team database as an editor's QGIS would, through the postgres
provider's own SQL (layer editing, never raw SQL), and prints what it did as JSON lines.

Run by tests/team.rs (qgis_adds_moves_edits_and_deletes_records_and_citations) with Debian's
python3-qgis, one step per run:
    /usr/bin/python3 tests/qgis/edit_records.py 'host=… port=… dbname=iskp user=editor' STEP [ARGS…] [--group]

Steps:
    add ID LON LAT SOURCE   a new record with a point and its citation: with --group as the
                            digitising tool makes it (the layer's defaults, so QGIS sends ord's
                            default clause) and both saved together; without, as a script or a paste
                            makes it (QGIS sends ord as NULL) and each layer saved in turn
    move ID LON LAT         drag a record's point elsewhere (changeGeometry)
    title ID TITLE          edit a record's title (changeAttributeValue)
    delete ID               delete a record and its citations (citations first; with --group, one
                            commit)

--group is QGIS's transaction group ("Automatically create transaction groups where possible",
QgsProject.setAutoTransaction in 3.22): every layer of the connection edits inside one database
transaction, and saving one layer commits them all.

Every line printed is a JSON object; on failure the last one is {"ok": false, "errors": [...]} with
QGIS's commit errors, provider errors and log messages, and the exit status is 1.
"""
import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (QgsApplication, QgsDataSourceUri, QgsFeature, QgsFeatureRequest, QgsGeometry,  # noqa: E402
                       QgsPointXY, QgsProject, QgsVectorLayer, QgsVectorLayerUtils)
from qgis.PyQt.QtCore import QDate  # noqa: E402

LOG = []


def say(**what):
    print(json.dumps(what, default=str), flush=True)


def fail(what, *layers):
    errors = []
    for layer in layers:
        errors += layer.commitErrors()
        errors += layer.dataProvider().errors()
    say(ok=False, step=what, errors=errors, log=LOG)
    sys.exit(1)


def layer(conninfo, table, key, geom=None):
    uri = QgsDataSourceUri(conninfo)
    uri.setDataSource("iskp", table, geom, "", key)
    lyr = QgsVectorLayer(uri.uri(False), table, "postgres")
    if not lyr.isValid():
        say(ok=False, step=f"open iskp.{table}", errors=[lyr.error().summary()], log=LOG)
        sys.exit(1)
    return lyr


def features(lyr, expression):
    return list(lyr.getFeatures(QgsFeatureRequest().setFilterExpression(expression)))


def quoted(s):
    return "'" + s.replace("'", "''") + "'"


def commit(what, *layers):
    """Saves the layers in order (in a transaction group the first save commits them all)."""
    for lyr in layers:
        if lyr.isEditable() and not lyr.commitChanges():
            fail(what, *layers)


def start(what, *layers):
    for lyr in layers:
        if not lyr.isEditable() and not lyr.startEditing():
            fail(f"{what}: start editing {lyr.name()}", *layers)


def add(records, citations, rid, lon, lat, source):
    start("add", records, citations)
    point = QgsGeometry.fromPointXY(QgsPointXY(float(lon), float(lat)))
    if group:
        # As the digitising tool does: a feature with the layer's defaults, then the form's values.
        rec = QgsVectorLayerUtils.createFeature(records, point, {}, records.createExpressionContext())
    else:
        # As a script or a paste does: every attribute NULL but those set (QGIS sends ord as NULL).
        rec = QgsFeature(records.fields())
        rec.setGeometry(point)
    for name, value in {
        "id": rid, "kind": "arrest", "title": "Digitised in QGIS", "summary": "Added in QGIS.",
        "date": QDate(2024, 6, 1), "date_precision": "day", "place": "Kabul", "country": "AFG",
        "geo_precision": "exact", "count": "1", "claim": "attributed",
    }.items():
        rec.setAttribute(name, value)
    if not records.addFeature(rec):
        fail("add record", records, citations)
    if not group:
        commit("add record", records)
        start("add citation", citations)
    cit = QgsVectorLayerUtils.createFeature(citations, QgsGeometry(), {}, citations.createExpressionContext())
    for name, value in {"record_id": rid, "source_id": source, "section": "added in QGIS"}.items():
        cit.setAttribute(name, value)
    if not citations.addFeature(cit):
        fail("add citation", records, citations)
    commit("add", records, citations)
    got = features(records, f'"id" = {quoted(rid)}')
    if len(got) != 1:
        fail(f"add: {rid} read back {len(got)} times", records)
    f = got[0]
    say(ok=True, step="add", id=rid, ord=f["ord"], lon=f["lon"], lat=f["lat"],
        geometry=f.geometry().asWkt(6),
        citations=[c["source_id"] for c in features(citations, f'"record_id" = {quoted(rid)}')])


def move(records, rid, lon, lat):
    got = features(records, f'"id" = {quoted(rid)}')
    if len(got) != 1:
        fail(f"move: {rid} found {len(got)} times", records)
    start("move", records)
    if not records.changeGeometry(got[0].id(), QgsGeometry.fromPointXY(QgsPointXY(float(lon), float(lat)))):
        fail("move", records)
    commit("move", records)
    f = features(records, f'"id" = {quoted(rid)}')[0]
    say(ok=True, step="move", id=rid, lon=f["lon"], lat=f["lat"], geometry=f.geometry().asWkt(6))


def title(records, rid, text):
    got = features(records, f'"id" = {quoted(rid)}')
    if len(got) != 1:
        fail(f"title: {rid} found {len(got)} times", records)
    start("title", records)
    if not records.changeAttributeValue(got[0].id(), records.fields().indexOf("title"), text):
        fail("title", records)
    commit("title", records)
    say(ok=True, step="title", id=rid, title=features(records, f'"id" = {quoted(rid)}')[0]["title"])


def delete(records, citations, rid):
    cited = features(citations, f'"record_id" = {quoted(rid)}')
    got = features(records, f'"id" = {quoted(rid)}')
    if len(got) != 1 or not cited:
        fail(f"delete: {rid} found {len(got)} times with {len(cited)} citations", records, citations)
    start("delete", records, citations)
    for c in cited:
        if not citations.deleteFeature(c.id()):
            fail("delete citation", records, citations)
    if not group:
        commit("delete citations", citations)
    if not records.deleteFeature(got[0].id()):
        fail("delete record", records, citations)
    commit("delete", citations, records)
    say(ok=True, step="delete", id=rid, citations=len(cited),
        left=len(features(records, f'"id" = {quoted(rid)}')),
        citations_left=len(features(citations, f'"record_id" = {quoted(rid)}')))


def main(conninfo, step, args):
    app = QgsApplication([], False)
    app.initQgis()
    QgsApplication.messageLog().messageReceived.connect(
        lambda message, tag, level: LOG.append(f"{tag}: {message}"))
    project = QgsProject.instance()
    project.setAutoTransaction(group)
    records = layer(conninfo, "records", "id", "geom")
    citations = layer(conninfo, "citations", "ord")
    project.addMapLayers([records, citations])
    say(ok=True, step="open", group=group, in_transaction_group=project.transactionGroup(
            "postgres", QgsDataSourceUri(records.source()).connectionInfo(False)) is not None,
        features=records.featureCount(), ord=records.fields().field("ord").typeName(),
        ord_default=records.dataProvider().defaultValueClause(records.fields().indexOf("ord")))
    {"add": lambda: add(records, citations, *args),
     "move": lambda: move(records, *args),
     "title": lambda: title(records, *args),
     "delete": lambda: delete(records, citations, *args)}[step]()
    project.clear()
    app.exitQgis()


if __name__ == "__main__":
    argv = [a for a in sys.argv[1:] if a != "--group"]
    group = "--group" in sys.argv[1:]
    main(argv[0], argv[1], argv[2:])
