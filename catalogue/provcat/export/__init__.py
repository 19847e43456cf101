"""Exports for outside tools: a BagIt 1.0 bag of the archive and a W3C PROV-JSON document.

Each export is a module with one plain function at its heart (``bag.export_bag``,
``prov.export_prov``); the command line only adapts them. Neither imports the extraction pipeline.
"""
