package demohistory

import "math"

// The channels, in the order of the story's mix.
const (
	chWindow = iota
	chMobile
	chPC
	chKiosk
	numChannels
)

var (
	channelNames = [numChannels]string{"window", "mobile", "pc", "kiosk"}
	channelAny   = [numChannels]any{"window", "mobile", "pc", "kiosk"}
)

// slot is one service and what became of it: who served whom, when, and the rating. decide
// fills it from the slot's own random stream, so that every COPY stream computes the same slot.
type slot struct {
	day    *planDay
	ch     int
	region *orgRegion
	item   *orgItem // nil for a ticket visit
	dept   *orgDepartment
	hall   any // hall ID (boxed), or nil for online services
	window *orgWindow
	staff  *orgStaff
	ticket bool // rated by queue ticket, without a case

	accepted, served int64 // served: when the service ended (the case's completion)
	active           bool
	level            int
	rated, created   int64
	phone            bool // the case's applicant left a phone number
	realName         bool
	enterprise       bool
	quality          float64 // the log of the unit's bad-review odds multiplier at the time

	emitCase, emitEval, bad bool
}

// decide draws the slot's service and rating. It must stay a pure function of the plan, the day
// and the slot number: the three COPY streams and the planning pass all call it.
func (p *plan) decide(dayIdx, i int, s *slot) {
	pd := &p.days[dayIdx]
	st := p.story
	*s = slot{day: pd}
	s.ch, s.served = p.when(dayIdx, i)
	r := newRNG(p.seed, streamDecide, uint64(dayIdx), uint64(i))
	reg := p.org.regions[r.pick(p.org.regionCum)]
	s.region = reg

	// Who served: "谁办理、谁负责".
	s.ticket = s.ch == chWindow && r.chance(st.TicketOnly)
	switch {
	case s.ticket:
		s.window = reg.windows[r.pick(reg.windowsCum)]
		s.dept = s.window.dept
		s.hall = reg.hall.idAny
	default:
		items, cum := reg.items, reg.itemCum
		if s.ch != chWindow && len(reg.online) > 0 {
			items, cum = reg.online, reg.onCum
		}
		s.item = items[r.pick(cum)]
		s.dept = s.item.dept
		switch s.ch {
		case chWindow:
			s.hall = reg.hall.idAny
			if len(s.dept.serve) > 0 {
				s.window = s.dept.serve[r.pick(s.dept.serveCum)]
			} else {
				s.window = reg.windows[r.pick(reg.windowsCum)]
			}
		case chKiosk:
			s.hall = reg.hall.idAny
		default:
			// An online case is approved in the back office, now and then by the staff of the
			// department's window (who then answer for it); mostly by nobody the system knows,
			// and a bad review goes to the head.
			if len(s.dept.windows) > 0 && r.chance(p.story.OnlineStaff) {
				w := s.dept.windows[r.intn(len(s.dept.windows))]
				if len(w.staff) > 0 {
					s.staff = w.staff[r.intn(len(w.staff))]
				}
			}
		}
	}
	if s.window != nil && len(s.window.staff) > 0 {
		// The first member of staff at a window serves a little more.
		k := 0
		if !r.chance(0.2) {
			k = r.intn(len(s.window.staff))
		}
		s.staff = s.window.staff[k]
	}

	s.accepted = p.accepted(s, &r)

	// How well: the unit's quality now, then the rating.
	s.quality = s.dept.quality.at(pd.progress) + p.chanQuality[s.ch]
	if s.window != nil {
		s.quality += s.window.quality.at(pd.progress)
	}
	if s.staff != nil {
		s.quality += s.staff.quality.at(pd.progress)
	}
	active := reg.active[0] + (reg.active[1]-reg.active[0])*pd.progress
	pDefault := min(max((1-active)/p.caseFrac, 0), 0.95)
	deadline := ratingDeadline(s.served, reg.ratingDays)
	if !s.ticket && r.chance(pDefault) {
		// 默认评价: level default_level, inactive, rated at the end of the window; the job runs
		// every ten minutes.
		s.level = reg.defaultLevel
		s.rated = deadline
		s.created = deadline + 1 + int64(r.between(0.02, 10)*float64(usMinute))
	} else {
		s.active = true
		s.level = p.level(s.quality, &r)
		s.rated = min(s.served+p.ratingDelay(s.ch, &r), deadline)
		s.created = s.rated + int64(r.between(0.2, 3)*float64(usSecond))
		if s.ch == chKiosk && r.chance(0.15) {
			s.created += int64(r.between(10, 180) * float64(usMinute)) // an offline kiosk uploads later
		}
	}

	// Whom: an identity is attached by the streams (by case number); here, what they gave.
	switch s.ch {
	case chWindow:
		s.phone = r.chance(st.CasePhone)
		share := p.realName[chWindow]
		if s.ticket {
			share *= 0.8
		}
		s.realName = s.active && r.chance(share)
	default:
		s.phone = r.chance(p.realName[s.ch])
		s.realName = s.active && s.phone
	}
	if !s.ticket {
		s.enterprise = r.chance(s.dept.enterprise)
	}

	// What of it falls in the period: a rating made in it, and a case served in it (or rated in
	// it). A case served in the last days and not rated yet is loaded without its evaluation:
	// the default evaluations job will rate it once its window ends, as it would a real one.
	s.created = min(s.created, p.end)
	s.emitEval = s.served <= p.end && s.rated >= p.start && s.rated <= p.end
	s.emitCase = !s.ticket && s.served <= p.end && (s.served >= p.start || s.emitEval)
	s.bad = s.emitEval && s.active && s.level <= 2
}

// when draws a slot's channel and the time its service ended, from a stream of their own: the
// streams sort a day's slots by it (cursor), which costs only these two draws a slot.
func (p *plan) when(dayIdx, i int) (int, int64) {
	r := newRNG(p.seed, streamWhen, uint64(dayIdx), uint64(i))
	pd := &p.days[dayIdx]
	ch := r.pick(pd.chanCum[:])
	var prof *profile
	switch ch {
	case chWindow:
		prof = hallWeekend
		if pd.work {
			prof = hallWorkday
		}
	case chKiosk:
		prof = kioskWeekend
		if pd.work {
			prof = kioskWorkday
		}
	default:
		prof = online
	}
	return ch, pd.start + prof.draw(&r)
}

// level draws an active rating for a unit of the given quality.
func (p *plan) level(quality float64, r *rng) int {
	st := p.story
	m := math.Exp(quality)
	bad := min(max(st.Bad*m, 0.002), 0.3)
	l3 := min(max(st.Level3*math.Sqrt(m), 0.005), 0.3)
	x := r.float()
	switch {
	case x < bad:
		if r.chance(st.VeryBad) {
			return 1
		}
		return 2
	case x < bad+l3:
		return 3
	case x < bad+l3+st.Level4:
		return 4
	}
	return 5
}

// ratingDelay is how long after the service the evaluator rates: at once on a pad or a kiosk;
// from the receipt's QR code or the portal, minutes to days later.
func (p *plan) ratingDelay(ch int, r *rng) int64 {
	switch ch {
	case chWindow:
		return int64(r.between(10, 180) * float64(usSecond))
	case chKiosk:
		return int64(r.between(5, 120) * float64(usSecond))
	}
	soon, sameDay := 0.40, 0.30
	if ch == chPC {
		soon, sameDay = 0.30, 0.30
	}
	x := r.float()
	switch {
	case x < soon:
		return int64(r.between(1, 30) * float64(usMinute))
	case x < soon+sameDay:
		return int64(r.between(1, 6) * float64(usHour))
	}
	return int64(r.between(1, 6)*float64(usDay)) + int64(r.between(-3, 3)*float64(usHour))
}

// accepted is when the case was accepted (受理): minutes before its completion for an immediate
// item (即办件), some of its promised working days for a promised one (承诺件), in office hours.
func (p *plan) accepted(s *slot, r *rng) int64 {
	if s.item == nil {
		return s.served
	}
	if s.item.promised == 0 {
		switch s.ch {
		case chWindow:
			return s.served - int64(r.between(3, 40)*float64(usMinute))
		case chKiosk:
			return s.served - int64(r.between(1, 10)*float64(usMinute))
		}
		return s.served - int64(r.between(1, 120)*float64(usMinute))
	}
	back := int64(float64(s.item.promised) * r.between(0.3, 1.0) * 1.4 * float64(usDay))
	acc := s.served - back
	acc = dayStart(bjDay(acc)) + 9*usHour + int64(r.between(0, 8)*float64(usHour))
	if acc >= s.served {
		acc = s.served - int64(r.between(5, 60)*float64(usMinute))
	}
	return acc
}
