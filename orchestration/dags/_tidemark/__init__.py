"""Helpers shared by Tidemark's DAGs (kept out of DAG parsing by .airflowignore)."""
