"""The web interface's views, one module per part of the site (DESIGN.md section 11)."""
