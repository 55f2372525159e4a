"""The ASGI team server: the only package that imports the web framework (later issue)."""
