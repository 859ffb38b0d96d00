"""Reading a spreadsheet or delimited text safely, and the values in its cells."""
