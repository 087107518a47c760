"""Moving files: uploads, downloads, adding files to vector stores and following indexing."""
