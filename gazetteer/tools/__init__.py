"""Development tools for curating the gazetteer data files (not used at run time)."""
