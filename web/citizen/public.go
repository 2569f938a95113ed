package citizen

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/internal/bjtime"
	"haochaping/measures"
	"haochaping/rectify"
	"haochaping/web/page"
)

// The public disclosure (评价结果及整改情况公开): the measures by department and month, and the
// bad reviews put right — nothing of any person. It is the same for everyone, so it may be
// cached; it sets no cookie and has no form to protect.

// publicView is what /public shows.
type publicView struct {
	Regions     []measures.Region
	Region      measures.Region
	Months      []monthChoice
	Month       monthChoice
	Total       publicRow
	Departments []publicRow
	Trend       []publicRow
	Rectified   []publicCase
	UpdatedAt   time.Time
}

type monthChoice struct {
	Value, Label string
	From, To     time.Time
}

// publicRow is one line of figures: 总评价量, 主动评价率, 好评率, 差评, 整改率.
type publicRow struct {
	Label                       string
	Total, Bad                  string
	Active, Good, Rectification figure
}

// figure is a rate as people read it here: 71.3%, with 713 / 1,000 beside it.
type figure struct{ Value, Ratio string }

func figureOf(m measures.Measure) figure {
	if m.Denominator == 0 {
		return figure{Value: "—", Ratio: "无数据"}
	}
	return figure{Value: page.Percent(int64(m.Numerator), int64(m.Denominator)),
		Ratio: page.Thousands(int64(m.Numerator)) + " / " + page.Thousands(int64(m.Denominator))}
}

func rowOf(label string, m map[string]measures.Measure) publicRow {
	return publicRow{
		Label:         label,
		Total:         page.Thousands(int64(m["total_evaluations"].Numerator)),
		Bad:           page.Thousands(int64(m["bad_rate"].Numerator)),
		Active:        figureOf(m["active_rate"]),
		Good:          figureOf(m["good_rate"]),
		Rectification: figureOf(m["rectification_rate"]),
	}
}

// publicCase is a rectified bad review as published.
type publicCase struct {
	rectify.Disclosed
	ReasonNames string
}

// months are the last twelve months, the current one first (to date).
func months(now time.Time) []monthChoice {
	today := bjtime.Day(now)
	first := today.AddDate(0, 0, 1-today.Day())
	var out []monthChoice
	for i := range 12 {
		from := first.AddDate(0, -i, 0)
		to := from.AddDate(0, 1, -1)
		if to.After(today) {
			to = today
		}
		label := from.Format("2006年1月")
		if i == 0 {
			label += "（截至今日）"
		}
		out = append(out, monthChoice{Value: from.Format("2006-01"), Label: label, From: from, To: to})
	}
	return out
}

// showPublic is GET /public?region=CODE&month=YYYY-MM.
func (d Deps) showPublic(c *fiber.Ctx) error {
	ctx := c.UserContext()
	now := d.Evaluation.Now()
	regions, err := d.Measures.Regions(ctx)
	if err != nil {
		return err
	}
	if len(regions) == 0 {
		return fiber.ErrNotFound
	}
	v := publicView{Regions: regions, Region: regions[0], Months: months(now), UpdatedAt: now}
	if code := c.Query("region"); code != "" {
		for _, r := range regions {
			if r.Code == code {
				v.Region = r
			}
		}
	}
	// A month is published once it is over: the last complete month unless another is asked.
	v.Month = v.Months[1]
	for _, m := range v.Months {
		if m.Value == c.Query("month") {
			v.Month = m
		}
	}
	// The public sees everything of the region chosen, as its office does.
	public := access.Scope{Kind: access.ScopeRegion, ID: v.Region.ID}
	q := measures.Query{From: v.Month.From, To: v.Month.To, RegionID: v.Region.ID, Scope: public}
	total, err := d.Measures.Overview(ctx, q)
	if err != nil {
		return err
	}
	v.Total = rowOf(v.Region.Name+"合计", total)
	units, err := d.Measures.ByDepartment(ctx, q)
	if err != nil {
		return err
	}
	for _, u := range units {
		label := u.Name
		if u.Region != v.Region.Name && !strings.HasPrefix(u.Name, u.Region) {
			label = u.Region + " " + u.Name
		}
		v.Departments = append(v.Departments, rowOf(label, u.Measures))
	}
	last := v.Months[len(v.Months)-1]
	trend, err := d.Measures.Trend(ctx, measures.Query{From: last.From, To: v.Months[0].To, RegionID: v.Region.ID, Scope: public}, "month")
	if err != nil {
		return err
	}
	for i := len(trend) - 1; i >= 0; i-- {
		p := trend[i]
		day, _ := time.Parse("2006-01-02", p.Period)
		v.Trend = append(v.Trend, rowOf(day.Format("2006年1月"), p.Measures))
	}
	cases, err := d.Rectify.Disclosures(ctx, v.Month.From, v.Month.To, v.Region.ID, 30)
	if err != nil {
		return err
	}
	set, err := d.Evaluation.Reasons(ctx)
	if err != nil {
		return err
	}
	for _, x := range cases {
		v.Rectified = append(v.Rectified, publicCase{Disclosed: x, ReasonNames: strings.Join(set.Names(x.Reasons), "、")})
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=600")
	c.Set(fiber.HeaderVary, "Cookie") // the large-text mode is the one thing that differs
	return d.Pages.Render(c, fiber.StatusOK, "public", page.View{Title: "评价结果及整改情况公开", Layout: "wide", Data: v})
}
