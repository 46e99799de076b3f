"""Uploads: what a file is (sniffing.py, by its bytes), where it is kept (storage.py), how it is sent (headers.py).

``sniffing.check_upload`` is the entry point for an incoming file; kinds.py says what may be uploaded and
holds the refusal (``FileRejected``) and the limits; names.py the display name; office.py and images.py the
structural checks of documents and pictures. No Flask here: the services and views use these modules.
"""
