"""Reads for the dashboard and the reports: aggregations done in the database."""
