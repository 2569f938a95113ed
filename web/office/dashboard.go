package office

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/evaluation"
	"haochaping/measures"
	"haochaping/measures/statsapi"
	"haochaping/rectify"
	"haochaping/upward"
	"haochaping/web/page"
	"haochaping/web/session"
)

// card is one measure the office is judged by, with its parts and where its rows are.
type card struct {
	Key, Name      string
	Value, Target  string
	Num, Den       string // as shown: with thousands separators
	NumData        string // the numbers as the API gives them, for scripts and tests
	DenData        string
	Met, HasTarget bool
	Empty          bool
	NumURL, DenURL string
}

// cardMeasures are the dashboard's cards, in the plan's order of weight.
var cardMeasures = []string{"active_rate", "realname_rectification_rate", "callback_rate", "ontime_rate", "timely_report_rate"}

type dashboardView struct {
	Filter    filterView
	Cards     []card
	Trend     any // template.HTML
	TrendRows []trendRow
	Mix       any
	MixRows   []channelShare
	Rankings  []measures.Ranking
	Overdue   []*rectify.Listed
	Waiting   []*rectify.Listed
	Flags     []evaluation.PraiseFlag
	AuditLink bool // the city's auditors and office read the security audit log
	Upward    *upwardPanel
	ReadNote  string // where the figures were read, when a replica is set (readNote)
}

// upwardPanel is the dashboard's 省平台上报: the counts the office acts on, each a link to its
// list on /office/upward, and the first refused records with their reasons.
type upwardPanel struct {
	Summary *upward.Summary
	Refused []upwardRow
}

// upwardPanelRecords is how many refused records the panel names.
const upwardPanelRecords = 3

type trendRow struct{ Period, Active, Total string }

type channelShare struct {
	Name  string
	Count int64
	Share float64
}

// showDashboard is GET /office?from&to&region&department&hall&channel.
func (d Deps) showDashboard(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u := session.UserOf(c)
	q, err := statsapi.ParseQuery(c, d.Measures, d.DB)
	if err != nil {
		return err
	}
	fv, err := d.filterView(c, q)
	if err != nil {
		return err
	}
	v := dashboardView{Filter: fv}
	// The city's auditors and office (a district's chooses among one region) read the audit log.
	v.AuditLink = d.Audit != nil && u.HasRole(access.Auditor, access.OfficeAdmin) && len(fv.Regions) > 1
	over, err := d.Measures.Overview(ctx, q)
	if err != nil {
		return err
	}
	for _, key := range cardMeasures {
		v.Cards = append(v.Cards, cardOf(key, over[key], fv))
	}
	// Only a note: a replica that cannot say its delay leaves the figures as they are.
	if src, err := d.Measures.ReadSource(ctx); err == nil {
		v.ReadNote = readNote(src)
	}
	if err := d.trendAndMix(c, q, &v); err != nil {
		return err
	}
	scope, _ := u.Measures()
	if v.Rankings, err = d.Measures.Rankings(ctx, measures.RankingQuery{Kind: "department", RegionID: q.RegionID, Scope: scope}); err != nil {
		return err
	}
	overdue := true
	od, err := d.Rectify.List(ctx, u, rectify.Filter{Overdue: &overdue, PerPage: 10, Page: 1})
	if err != nil {
		return err
	}
	v.Overdue = od.Items
	waiting, err := d.Rectify.List(ctx, u, rectify.Filter{States: []rectify.State{rectify.Appealing, rectify.RectifyingDeadline}, PerPage: 50, Page: 1})
	if err != nil {
		return err
	}
	for _, w := range waiting.Items {
		if w.State == rectify.Appealing || w.Deadlines.ExtensionRequested != nil {
			v.Waiting = append(v.Waiting, w)
		}
	}
	if u.HasRole(access.OfficeAdmin, access.Auditor) {
		if v.Flags, err = d.Evaluation.PraiseFlags(ctx, scope, q.From); err != nil {
			return err
		}
		if v.Upward, err = d.upwardPanel(c); err != nil {
			return err
		}
	}
	return d.Pages.Render(c, fiber.StatusOK, "office_dashboard", page.View{Title: "数据看板", Layout: "wide", Data: v})
}

// upwardPanel reads the dashboard's 省平台上报 within the login's scope, as /office/upward and
// GET /api/v1/upward/status count it.
func (d Deps) upwardPanel(c *fiber.Ctx) (*upwardPanel, error) {
	u, now := session.UserOf(c), d.Now()
	s, err := upward.Summarise(c.UserContext(), d.DB, u.Scope, now)
	if err != nil {
		return nil, err
	}
	p := &upwardPanel{Summary: s}
	if s.Refused > 0 {
		l, err := upward.List(c.UserContext(), d.DB, u.Scope, upward.ListRefused, 1, upwardPanelRecords, now)
		if err != nil {
			return nil, err
		}
		for _, r := range l.Items {
			p.Refused = append(p.Refused, rowOf(r))
		}
	}
	return p, nil
}

func cardOf(key string, m measures.Measure, filters filterView) card {
	cd := card{Key: key, Name: m.Name, Num: page.Thousands(int64(m.Numerator)), Den: page.Thousands(int64(m.Denominator)),
		NumData: strconv.FormatFloat(m.Numerator, 'f', -1, 64), DenData: strconv.FormatFloat(m.Denominator, 'f', -1, 64)}
	if m.Value == nil {
		cd.Value, cd.Empty = "—", true
	} else {
		cd.Value = page.Percent(int64(m.Numerator), int64(m.Denominator))
	}
	if m.Target != nil {
		cd.HasTarget, cd.Target = true, page.Percent(int64(*m.Target*1000), 1000)
		cd.Met = m.Met != nil && *m.Met
	}
	cd.NumURL, cd.DenURL = filters.rowsURL(key, "numerator", 1), filters.rowsURL(key, "denominator", 1)
	return cd
}

// trendAndMix draws the active-evaluation rate by day (a period of a month or less) or by
// month, and the share of each channel.
func (d Deps) trendAndMix(c *fiber.Ctx, q measures.Query, v *dashboardView) error {
	ctx := c.UserContext()
	by := "day"
	if q.To.Sub(q.From) > 62*24*time.Hour {
		by = "month"
	}
	trend, err := d.Measures.Trend(ctx, q, by)
	if err != nil {
		return err
	}
	var points []Point
	target := 0.0
	for _, p := range trend {
		m := p.Measures["active_rate"]
		val := -1.0
		if m.Value != nil {
			val = *m.Value
		}
		if m.Target != nil {
			target = *m.Target
		}
		label := p.Period[5:]
		if by == "month" {
			label = p.Period[:7]
		}
		points = append(points, Point{Label: label, Value: val})
		active := "—"
		if m.Value != nil {
			active = page.Percent(int64(m.Numerator), int64(m.Denominator))
		}
		v.TrendRows = append(v.TrendRows, trendRow{p.Period, active, page.Thousands(int64(p.Measures["total_evaluations"].Numerator))})
	}
	v.Trend = TrendSVG("主动评价率走势", points, target)
	counts, err := d.Measures.ChannelMix(ctx, q)
	if err != nil {
		return err
	}
	var total int64
	for _, ch := range evaluation.Channels {
		total += counts[string(ch)]
	}
	var bars []Bar
	for _, ch := range evaluation.Channels {
		share := 0.0
		if total > 0 {
			share = float64(counts[string(ch)]) / float64(total)
		}
		bars = append(bars, Bar{Label: ch.Name(), Count: counts[string(ch)], Share: share})
		v.MixRows = append(v.MixRows, channelShare{ch.Name(), counts[string(ch)], share})
	}
	v.Mix = BarsSVG("评价渠道构成", bars)
	return nil
}
