"""Reads an Augenmerk server with the real Open311 client `georeport` (PyPI) in both
formats and prints what it saw as JSON, for the Rust test to check.

Usage: georeport_reads.py ROOT_URL JURISDICTION_ID SERVICE_REQUEST_ID
"""
import json
import sys

from georeport import GeoReport

root, jurisdiction, request_id = sys.argv[1:4]
seen = {}
for fmt in ("json", "xml"):
    client = GeoReport(root, jurisdiction=jurisdiction, output_format=fmt)
    services = client.get_service_list()
    definition = client.get_service_definition("schlagloch")
    attributes = definition["attributes"]
    if fmt == "xml":
        attributes = attributes["attribute"]
    requests = client.get_service_requests()
    if isinstance(requests, dict):  # xmltodict gives a dict for a single element
        requests = [requests]
    one = client.get_service_request(request_id)
    if isinstance(one, list):
        one = one[0]
    seen[fmt] = {
        "service_codes": sorted(s["service_code"] for s in services),
        "definition_code": definition["service_code"],
        "attribute_codes": [a["code"] for a in attributes],
        "request_ids": [r["service_request_id"] for r in requests],
        "one_id": one["service_request_id"],
        "one_description": one["description"],
        "one_status": one["status"],
    }
print(json.dumps(seen, ensure_ascii=False))
