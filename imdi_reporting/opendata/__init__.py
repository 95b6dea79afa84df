"""Open data: a submitted period as a Frictionless data package with DCAT-AP-NO metadata.

``selectors`` reads the tables from the goals, budget and settlement selectors (settlement
counts suppressed as for an anonymous reader); ``package`` writes them as CSV with
``datapackage.json`` and ``dcat.jsonld``, as a folder or a zip.
"""
