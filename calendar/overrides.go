package calendar

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"go.yaml.in/yaml/v3"
)

// overrideFile is the format of seeds/holidays/holidays.yaml.
type overrideFile struct {
	Years map[int]struct {
		Holidays []string `yaml:"holidays"` // days off (放假)
		Workdays []string `yaml:"workdays"` // weekend days worked (调休上班)
	} `yaml:"years"`
}

// overrides is a parsed override file.
type overrides struct {
	days  map[int]bool // yyyymmdd → worked or not
	years map[int]bool // years listed
}

// parseOverrides reads and checks an override file: dates YYYY-MM-DD in the year they are listed
// under, no day in both lists, no unknown keys.
func parseOverrides(src []byte) (overrides, error) {
	o := overrides{days: make(map[int]bool), years: make(map[int]bool)}
	var f overrideFile
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return o, fmt.Errorf("calendar overrides: %w", err)
	}
	for year, y := range f.Years {
		o.years[year] = true
		for _, list := range []struct {
			name string
			days []string
			work bool
		}{{"holidays", y.Holidays, false}, {"workdays", y.Workdays, true}} {
			for _, s := range list.days {
				d, err := time.Parse(time.DateOnly, s)
				if err != nil {
					return o, fmt.Errorf("calendar overrides: %d %s: %q is not a date YYYY-MM-DD", year, list.name, s)
				}
				if d.Year() != year {
					return o, fmt.Errorf("calendar overrides: %d %s: %s is not in %d", year, list.name, s, year)
				}
				k := key(d)
				if work, dup := o.days[k]; dup && work != list.work {
					return o, fmt.Errorf("calendar overrides: %d: %s is in both holidays and workdays", year, s)
				}
				o.days[k] = list.work
			}
		}
	}
	return o, nil
}
