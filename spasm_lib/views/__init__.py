"""Views: pure functions from a logic result to escaped HTML or a figure with alt text (spasm_lib.html.Html)."""
