"""A committee's data as one Excel workbook: export, template, dry-run check and import (issue 17)."""
