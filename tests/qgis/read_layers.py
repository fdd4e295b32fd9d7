"""QGIS (PyQGIS, offscreen) reads iskp-map as a GIS user's QGIS would, and prints what it saw as JSON.

Run by tests/gis.rs (qgis_reads_every_layer_filters_and_draws_vector_tiles) with Debian's python3-qgis:
    /usr/bin/python3 tests/qgis/read_layers.py http://127.0.0.1:PORT
Every layer through the OAPIF provider (the one behind "Add WFS / OGC API - Features Layer"), an
expression filter and a rectangle on the incidents, and two collections as vector tile layers drawn
into an image (the provider behind "Add Vector Tile Layer").
"""
import json
import os
import sys
from urllib.parse import quote

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem, QgsFeatureRequest,  # noqa: E402
                       QgsMapRendererSequentialJob, QgsMapSettings, QgsRectangle, QgsVectorLayer,
                       QgsVectorTileLayer)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402

COLLECTIONS = ["incidents", "attacks", "plots", "arrests", "designations", "raids", "presence",
               "countries", "provinces"]


def oapif(base, name):
    uri = f"url='{base}/api' typename='{name}' pagingEnabled='true' restrictToRequestBBOX='0'"
    return QgsVectorLayer(uri, name, "OAPIF")


def drawn(layer):
    """Pixels (of a 128 x 128 sample of a 256 x 256 image over Afghanistan) the layer painted."""
    ms = QgsMapSettings()
    ms.setLayers([layer])
    ms.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    ms.setExtent(QgsRectangle(6500000, 3300000, 8500000, 4700000))
    ms.setOutputSize(QSize(256, 256))
    white = QColor(255, 255, 255)
    ms.setBackgroundColor(white)
    job = QgsMapRendererSequentialJob(ms)
    job.start()
    job.waitForFinished()
    img = job.renderedImage()
    errors = [e.message for e in job.errors()]
    return sum(1 for x in range(0, 256, 2) for y in range(0, 256, 2) if img.pixelColor(x, y) != white), errors


def main(base):
    app = QgsApplication([], False)
    app.initQgis()
    seen = {"layers": {}, "tiles": {}}
    for name in COLLECTIONS:
        layer = oapif(base, name)
        seen["layers"][name] = {
            "valid": layer.isValid(),
            "count": sum(1 for _ in layer.getFeatures()) if layer.isValid() else None,
            "fields": [f.name() for f in layer.fields()],
        }
    incidents = oapif(base, "incidents")
    expr = QgsFeatureRequest().setFilterExpression("\"kind\" = 'plot' AND \"count\" >= 2")
    seen["expression"] = sorted(f["id"] for f in incidents.getFeatures(expr))
    rect = QgsFeatureRequest().setFilterRect(QgsRectangle(60, 29, 75, 39))
    seen["rectangle"] = sorted(f["id"] for f in incidents.getFeatures(rect))
    for name in ["incidents", "countries"]:
        template = f"{base}/api/collections/{name}/tiles/WebMercatorQuad/{{z}}/{{y}}/{{x}}"
        layer = QgsVectorTileLayer("type=xyz&url=" + quote(template, safe=":/{}") + "&zmin=0&zmax=22", name)
        pixels, errors = drawn(layer)
        seen["tiles"][name] = {"valid": layer.isValid(), "drawn": pixels, "errors": errors}
    print(json.dumps(seen), flush=True)
    # QGIS 3.22 crashes in exitQgis() while Python still holds layers and network replies; what
    # was to be seen is printed, so leave without tearing QGIS down.
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1])
