"""The API through OWSLib's OGC API - Features client (PyPI owslib), against the real server binary.

    python -m unittest discover -s tests/python      (ISKP_MAP_BIN picks the binary)
"""
import os
import re
import subprocess
import unittest
from pathlib import Path

from owslib.ogcapi.features import Features

ROOT = Path(__file__).resolve().parents[2]


def binary():
    for p in (os.environ.get("ISKP_MAP_BIN"), "target/release/iskp-map", "target/debug/iskp-map"):
        if p and (ROOT / p).exists():
            return str(ROOT / p)
    raise RuntimeError("build the server first (cargo build)")


class OwsLibTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = subprocess.Popen(
            [binary(), "serve", "--addr", "127.0.0.1:0", "--data", str(ROOT / "geodata")],
            stdout=subprocess.PIPE, env={**os.environ, "RUST_LOG": "iskp_map=info", "NO_COLOR": "1"}, text=True,
        )
        for line in cls.server.stdout:
            m = re.search(r"serving (http://127\.0\.0\.1:\d+)/", line)
            if m:
                cls.base = m.group(1)
                break
        else:
            raise RuntimeError("server did not start")
        cls.api = Features(cls.base + "/api")

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()
        cls.server.wait(timeout=20)
        cls.server.stdout.close()

    def test_lists_collections_and_conformance(self):
        ids = [c["id"] for c in self.api.collections()["collections"]]
        self.assertEqual(ids, ["incidents", "attacks", "plots", "arrests", "designations", "raids", "presence",
                               "countries", "provinces"])
        self.assertIn("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson", self.api.conformance()["conformsTo"])
        self.assertEqual(self.api.collection("plots")["id"], "plots")

    def test_reads_items_with_filters_and_single_items(self):
        plots = self.api.collection_items("plots", limit=100)
        self.assertEqual(plots["numberMatched"], len(plots["features"]))
        germany = self.api.collection_items("incidents", country="DEU", kind="plot")
        self.assertEqual(sum(f["properties"]["count"] for f in germany["features"]), 3)
        boxed = self.api.collection_items("incidents", bbox=[60, 29, 75, 39], limit=1000)
        self.assertTrue(boxed["features"])
        for f in boxed["features"]:
            if f["geometry"] is None:
                # A record known only to an area is returned when the whole area is in the box.
                w, s, e, n = f["properties"]["area"]["bbox"]
                self.assertTrue(60 <= w <= e <= 75 and 29 <= s <= n <= 39, f["id"])
                continue
            lon, lat = f["geometry"]["coordinates"]
            self.assertTrue(60 <= lon <= 75 and 29 <= lat <= 39)
        one = self.api.collection_item("attacks", "2024-03-22-crocus-city-hall")
        self.assertEqual(one["properties"]["fatalities"], 145)

    def test_reads_queryables_and_schema(self):
        self.assertIn("kind", self.api.collection_queryables("incidents")["properties"])
        feature = self.api.collection_schema("incidents")["properties"]
        self.assertEqual(feature["properties"]["properties"]["fatalities"]["type"], "integer")

    def test_cql2_filters_select_what_plain_parameters_select(self):
        conformance = self.api.conformance()["conformsTo"]
        self.assertIn("http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter", conformance)
        self.assertIn("http://www.opengis.net/spec/cql2/1.0/conf/cql2-text", conformance)
        plain = self.api.collection_items("incidents", country="DEU", kind="plot", limit=1000)
        text = self.api.collection_items(
            "incidents", limit=1000, **{"filter": "country = 'DEU' AND kind = 'plot'", "filter-lang": "cql2-text"})
        json_ = self.api.collection_items(
            "incidents", limit=1000, **{
                "filter": '{"op":"and","args":[{"op":"=","args":[{"property":"country"},"DEU"]},'
                          '{"op":"=","args":[{"property":"kind"},"plot"]}]}',
                "filter-lang": "cql2-json"})
        ids = [f["id"] for f in plain["features"]]
        self.assertTrue(ids)
        self.assertEqual([f["id"] for f in text["features"]], ids)
        self.assertEqual([f["id"] for f in json_["features"]], ids)
        queryables = self.api.collection_queryables("incidents")["properties"]
        self.assertIn("DEU", queryables["country"]["enum"])
        self.assertIn("plot", queryables["kind"]["enum"])


if __name__ == "__main__":
    unittest.main()
