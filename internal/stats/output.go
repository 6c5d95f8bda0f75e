package stats

import (
	"encoding/csv"
	"io"
	"strconv"
)

// cellJSON is one count as JSON: a number, or null when hidden.
func cellJSON(c Count) any {
	if c.State != Shown {
		return nil
	}
	return c.Value
}

// JSON is t as the API answers it: hidden counts are null.
func (t Table) JSON() map[string]any {
	cells := make([][]any, len(t.Cells))
	rowTotals := make([]any, len(t.RowTotals))
	for i, row := range t.Cells {
		cells[i] = make([]any, len(row))
		for j, c := range row {
			cells[i][j] = cellJSON(c)
		}
		rowTotals[i] = cellJSON(t.RowTotals[i])
	}
	out := map[string]any{"breakdown": t.Breakdown, "rows": t.Rows, "columns": t.Columns, "cells": cells, "row_totals": rowTotals}
	if t.ColTotals != nil {
		colTotals := make([]any, len(t.ColTotals))
		for j, c := range t.ColTotals {
			colTotals[j] = cellJSON(c)
		}
		out["column_totals"] = colTotals
		out["total"] = cellJSON(t.Total)
	}
	return out
}

// JSON is the publication as the API answers it.
func (p Publication) JSON() map[string]any {
	tables := make([]map[string]any, len(p.Tables))
	for i, t := range p.Tables {
		tables[i] = t.JSON()
	}
	return map[string]any{
		"through": p.Through, "threshold": p.Threshold, "rounding": p.Round,
		"hidden": "null: fewer than " + strconv.Itoa(p.Threshold) + ", or hidden so that such a count cannot be worked out from the totals",
		"tables": tables,
	}
}

// WriteCSV writes tables as one CSV: breakdown, row, then a column per
// group and the row total; hidden counts are Hidden. Each table ends with a
// "total" row when it has column totals.
func WriteCSV(w io.Writer, tables []Table) error {
	cw := csv.NewWriter(w)
	head := append([]string{"breakdown", "row"}, Groups()...)
	cw.Write(append(head, "total"))
	for _, t := range tables {
		for i, r := range t.Rows {
			rec := []string{t.Breakdown, r}
			for _, c := range t.Cells[i] {
				rec = append(rec, c.String())
			}
			cw.Write(append(rec, t.RowTotals[i].String()))
		}
		if t.ColTotals != nil {
			rec := []string{t.Breakdown, "total"}
			for _, c := range t.ColTotals {
				rec = append(rec, c.String())
			}
			cw.Write(append(rec, t.Total.String()))
		}
	}
	cw.Flush()
	return cw.Error()
}
