// Package cellsafe keeps the text of exported spreadsheet cells from being read as formulas.
//
// A cell whose text begins with = + - or @ (or a tab or carriage return, which some programs
// skip before looking) is harmless in the .xlsx we write, where it is a string; but saved as CSV
// and opened again, or pasted, Excel and LibreOffice read it as a formula — =HYPERLINK(…) that
// leaks the sheet, or worse. OWASP's advice (CSV injection) is followed: such a cell gets a
// leading single quote, which spreadsheets show as text and which survives a CSV round trip
// as the cell's first character. A cell that already begins with a quote gets one more, so
// that Restore, on import, gives back exactly what was exported.
package cellsafe

// Neutralize returns s as it is safe to write into a spreadsheet cell. Every writer of a
// workbook or CSV passes each text cell through it.
func Neutralize(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', '\'':
		return "'" + s
	}
	return s
}

// Restore undoes Neutralize for a cell read back from a sheet we exported: one leading quote
// goes. (A quote typed in Excel as the first character never reaches the file: Excel keeps it
// as the cell's style, so a quote read here is ours.)
func Restore(s string) string {
	if len(s) > 0 && s[0] == '\'' {
		return s[1:]
	}
	return s
}
