"""How the workspace shows things: Jinja2 pages, the SVG chart, CSV and XLSX files."""
