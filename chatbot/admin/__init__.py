"""The staff area under ``/admin``: documents, catalog, builds, publishing, users and the audit log.

Kept import-light on purpose: the text-extraction and build subprocesses start as
``python -m chatbot.admin.<module>`` and must not pay for Flask or the index on start-up.
``chatbot.admin.area.init_app(app)`` wires the web side into ``create_app``.
"""
