package main

import (
	"flag"
	"fmt"
	"haochaping/bench"
	"io"
)

const measuresUsage = `usage: haochaping bench measures [--evaluations 10000000] [--days 365] [--rounds 40] [--reuse SCHEMA] [--keep] [--json]

Loads a history of --evaluations ratings (haochaping demo) into a schema of its own, then measures
(1) GET /api/v1/stats/overview through HTTP, as the city office, over a set of periods and filters;
(2) the rollup of 100,000 new evaluations, three times; and (3) the same overview computed by a plain
GROUP BY over the raw tables, for the ratio. --reuse measures a schema kept by an earlier run
(--keep) instead of loading again.`

func parseMeasuresFlags(args []string, stderr io.Writer) (bench.MeasuresOptions, error) {
	fs := flag.NewFlagSet("bench measures", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, measuresUsage); fs.PrintDefaults() }
	var o bench.MeasuresOptions
	fs.IntVar(&o.Evaluations, "evaluations", 10_000_000, "ratings in the history")
	fs.IntVar(&o.Days, "days", 365, "days of history")
	fs.IntVar(&o.Rounds, "rounds", 40, "rounds over the set of overview queries")
	fs.StringVar(&o.Reuse, "reuse", "", "a schema kept by an earlier run: measure it without loading")
	fs.BoolVar(&o.Keep, "keep", false, "keep the schema (to --reuse it)")
	fs.BoolVar(&o.JSON, "json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return o, errUsage
	}
	if fs.NArg() > 0 || o.Evaluations < 1000 || o.Days < 30 || o.Rounds < 1 {
		fmt.Fprintln(stderr, "bench measures: --evaluations ≥ 1000, --days ≥ 30, --rounds ≥ 1, and no arguments")
		fs.Usage()
		return o, errUsage
	}
	return o, nil
}
