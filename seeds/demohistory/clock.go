package demohistory

import (
	"time"

	"haochaping/calendar"
	"haochaping/evaluation"
)

// Instants are unix microseconds (int64) while generating: the slot decisions run tens of
// millions of times, and Beijing days are plain arithmetic since China keeps UTC+8 all year
// (no daylight saving since 1991). They become time.Time only in the rows.
const (
	usSecond = int64(1_000_000)
	usMinute = 60 * usSecond
	usHour   = 60 * usMinute
	usDay    = 24 * usHour
	bjOffset = 8 * usHour
)

// bjDay is the Beijing calendar day of t, as days since 1970-01-01.
func bjDay(us int64) int64 {
	d := (us + bjOffset) / usDay
	if (us+bjOffset)%usDay < 0 {
		d--
	}
	return d
}

// dayStart is the instant a Beijing day begins.
func dayStart(day int64) int64 { return day*usDay - bjOffset }

// dayDate is a Beijing day in the form a PostgreSQL date takes in Go (midnight UTC), as
// bjtime.Day returns it.
func dayDate(day int64) time.Time { return time.Unix(day*86400, 0).UTC() }

// dayOf is the inverse of dayDate.
func dayOf(date time.Time) int64 {
	y, m, d := date.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

func toTime(us int64) time.Time { return time.UnixMicro(us).UTC() }

// ratingDeadline is evaluation.RatingDeadline at the microsecond precision PostgreSQL keeps:
// the last instant a service may be rated. The default evaluations job rates a default at it.
func ratingDeadline(served int64, days int) int64 {
	return evaluation.RatingDeadline(toTime(served), days).UnixMicro()
}

// workdays answers IsWorkday for Beijing days from a table of the range in use, falling back to
// the calendar outside it.
type workdays struct {
	cal   *calendar.Calendar
	first int64
	work  []bool
}

func newWorkdays(cal *calendar.Calendar, first, last int64) *workdays {
	w := &workdays{cal: cal, first: first, work: make([]bool, last-first+1)}
	for d := first; d <= last; d++ {
		w.work[d-first] = cal.IsWorkday(dayDate(d))
	}
	return w
}

func (w *workdays) is(day int64) bool {
	if i := day - w.first; i >= 0 && i < int64(len(w.work)) {
		return w.work[i]
	}
	return w.cal.IsWorkday(dayDate(day))
}

// Office hours of the staff who call back, rectify and rule: 8:30 to 18:00 on working days.
const (
	officeOpens  = 8*usHour + 30*usMinute
	officeCloses = 18 * usHour
)

// workMoment is t if it falls in office hours, else the next opening (plus a few minutes:
// nobody acts at the stroke of 8:30).
func (w *workdays) workMoment(t int64, r *rng) int64 {
	day := bjDay(t)
	tod := t - dayStart(day)
	if w.is(day) && tod >= officeOpens && tod < officeCloses {
		return t
	}
	if !w.is(day) || tod >= officeCloses {
		day++
		for !w.is(day) {
			day++
		}
	}
	return dayStart(day) + officeOpens + int64(r.between(0, 40))*usMinute + int64(r.intn(60))*usSecond
}

// addWorkHours moves t forward by hours of office time.
func (w *workdays) addWorkHours(t int64, hours float64, r *rng) int64 {
	t = w.workMoment(t, r)
	left := int64(hours * float64(usHour))
	for {
		day := bjDay(t)
		closes := dayStart(day) + officeCloses
		if t+left < closes {
			return t + left
		}
		left -= closes - t
		day++
		for !w.is(day) {
			day++
		}
		t = dayStart(day) + officeOpens
	}
}

// afterWorkDays is t moved forward by about n working days (n may be fractional), in office
// hours.
func (w *workdays) afterWorkDays(t int64, n float64, r *rng) int64 {
	return w.addWorkHours(t, n*9.5, r)
}

// profile is a day's distribution of service times: segments of minutes since Beijing
// midnight with weights (uniform inside a segment).
type profile struct {
	from, to []float64 // minutes
	cum      []float64
}

func newProfile(segs ...[3]float64) *profile {
	p := &profile{}
	w := make([]float64, len(segs))
	for i, s := range segs {
		p.from = append(p.from, s[0])
		p.to = append(p.to, s[1])
		w[i] = s[2] * (s[1] - s[0])
	}
	p.cum = cumulative(w)
	return p
}

// draw returns an offset from midnight, in microseconds.
func (p *profile) draw(r *rng) int64 {
	i := r.pick(p.cum)
	m := r.between(p.from[i], p.to[i])
	return int64(m * float64(usMinute))
}

// before is the share of the day's services that happen before the offset (microseconds).
func (p *profile) before(offset int64) float64 {
	m := float64(offset) / float64(usMinute)
	total, sum := p.cum[len(p.cum)-1], 0.0
	for i := range p.from {
		w := p.cum[i]
		if i > 0 {
			w -= p.cum[i-1]
		}
		switch {
		case m >= p.to[i]:
			sum += w
		case m > p.from[i]:
			sum += w * (m - p.from[i]) / (p.to[i] - p.from[i])
		}
	}
	return sum / total
}

// When services happen (minutes since midnight, weight per minute). Halls: 9:00–17:30 with a
// morning peak and a thin lunch hour ("午间不打烊" at a few windows); weekends: mornings only.
// Kiosks: 7:30 to 21:30, evenly (24-hour self-service areas, and a hall has several kiosks though
// the demo registers one: an even spread keeps it from looking like a burst of praise to the
// 刷好评 watch). Online: all day, peaking mid-morning and in the evening.
var (
	hallWorkday = newProfile([3]float64{540, 600, 3}, [3]float64{600, 690, 4}, [3]float64{690, 720, 2},
		[3]float64{720, 810, 0.4}, [3]float64{810, 900, 3}, [3]float64{900, 1020, 3.5}, [3]float64{1020, 1050, 1})
	hallWeekend  = newProfile([3]float64{540, 720, 1})
	kioskWorkday = newProfile([3]float64{450, 1290, 1})
	kioskWeekend = newProfile([3]float64{540, 1020, 1})
	online       = newProfile([3]float64{0, 420, 0.15}, [3]float64{420, 540, 1}, [3]float64{540, 720, 3},
		[3]float64{720, 840, 1.5}, [3]float64{840, 1080, 3}, [3]float64{1080, 1320, 2.5}, [3]float64{1320, 1440, 0.8})
)
