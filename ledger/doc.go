// Package ledger keeps the ledgers (台账) the office runs on: the plan's work ledger (Annex 1)
// and problem ledger (Annex 2), and the recurring problems of the rectification ledger
// (差评整改台账); the units answerable for each entry; the reporting rounds in which units
// report progress; the status of each entry (未开始, 推进中, 已完成, 逾期, 持续推进); and
// the Excel workbooks offices fill in and read, with the plan's exact column headings.
//
// It owns the tables ledger_entries, ledger_deadlines, ledger_assignments, ledger_rounds,
// ledger_reports and recurring_problems.
package ledger
