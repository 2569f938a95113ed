package testenv

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

// XLSXRows opens a workbook and returns the rows of a sheet.
func XLSXRows(t testing.TB, data []byte, sheet string) [][]string {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	defer x.Close()
	rows, err := x.GetRows(sheet)
	if err != nil {
		t.Fatalf("sheet %s: %v (sheets: %v)", sheet, err, x.GetSheetList())
	}
	return rows
}

// XLSXEdit sets cells of a workbook's first sheet (cell name → text), as a unit filling in a
// ledger would, and returns the workbook.
func XLSXEdit(t testing.TB, data []byte, cells map[string]string) []byte {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sheet := x.GetSheetList()[0]
	for c, v := range cells {
		if err := x.SetCellStr(sheet, c, v); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := x.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// XLSXRowOf is the Excel row number of the data row of an exported ledger whose column col
// reads no (the data start under the title, unit and heading rows).
func XLSXRowOf(t testing.TB, rows [][]string, col, no int) int {
	t.Helper()
	for i := 3; i < len(rows); i++ {
		if col < len(rows[i]) && rows[i][col] == strconv.Itoa(no) {
			return i + 1
		}
	}
	t.Fatalf("no row numbered %d", no)
	return 0
}
