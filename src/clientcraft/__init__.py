"""clientcraft: a graded Jupyter course on professional client relationships."""
