package calendar

import (
	"strconv"
	"strings"
	"sync"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// The years scanned in lunar-go's table; its data starts on 2001-12-29.
const (
	lunarFirstYear = 1990
	lunarLastYear  = 2200
)

// lunarData is a snapshot of lunar-go's holiday table.
type lunarData struct {
	days  map[int]bool // yyyymmdd → worked (调休上班) or not (放假)
	years map[int]bool // years whose arrangement lunar-go has
}

// lunarTable reads lunar-go's table once. The snapshot is what makes a Calendar safe for
// concurrent use whatever else calls HolidayUtil; a later HolidayUtil.Fix is not seen.
//
// A year counts as known when lunar-go has a holiday of that year (the year of the entry's
// target festival), not merely an entry dated in it: 2001 has two entries, the weekend days
// 2001-12-29 and 30 worked for the 2002 New Year, but not the 2001 arrangement.
var lunarTable = sync.OnceValue(func() lunarData {
	t := lunarData{days: make(map[int]bool), years: make(map[int]bool)}
	for y := lunarFirstYear; y <= lunarLastYear; y++ {
		for e := HolidayUtil.GetHolidaysByYear(y).Front(); e != nil; e = e.Next() {
			h, ok := e.Value.(*HolidayUtil.Holiday)
			if !ok {
				continue
			}
			if k, err := strconv.Atoi(strings.ReplaceAll(h.GetDay(), "-", "")); err == nil {
				t.days[k] = h.IsWork()
			}
			if target := h.GetTarget(); len(target) >= 4 {
				if ty, err := strconv.Atoi(target[:4]); err == nil {
					t.years[ty] = true
				}
			}
		}
	}
	return t
})
