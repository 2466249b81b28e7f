"""wirehouse: raw newswire article files in, a DuckDB analytics warehouse out."""

__version__ = "0.1.0"
