"""Everything that imports Qt: the app, main window, item models, widgets, workers."""
