"""The neutral spreadsheet library, the lowest floor: reading XLSX and CSV files as Indonesian
offices produce them (sheets.reading), bounded so that no upload can exhaust memory
(sheets.guard), their cells' habits (sheets.cells), and writing rows back out with every cell
kept from running as a formula (sheets.writing). No models and no app imports.
"""
