"""Pages of the assessments app, one module per topic: each view checks access through a door in
permissions.py, then calls one selector or service and renders."""
