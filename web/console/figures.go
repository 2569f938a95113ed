package console

import (
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/internal/bjtime"
	"haochaping/internal/problem"
	"haochaping/measures"
	"haochaping/rectify"
	"haochaping/web/page"
	"haochaping/web/session"
)

// figuresView is "我的数据": the month's ratings, bad reviews, rectification and rank of the
// staff member logged in, and for a unit's head those of the unit and of each of its staff —
// a ranking motivates only when people see it.
type figuresView struct {
	Month     string // 2026年12月
	Through   string // the last day counted: today
	RankMonth string // the month of the ranks shown: the last complete one
	Me        *myFigures
	MyCards   []figureCard
	Unit      *unitFigures
	UnitCards []figureCard
}

// figureCard is one figure as the page shows it.
type figureCard struct {
	Key, Name, Value, Detail string
	Bad                      bool // a figure to act on: at the bottom, overdue orders
}

type myFigures struct {
	measures.StaffFigures
	Orders rectify.Counts
	Done   int // rectified, explained, fed back or closed
	Open   int
	Rank   *measures.Ranking // last month's; nil when not ranked (too few ratings)
}

type unitFigures struct {
	Name     string
	Overview map[string]measures.Measure
	Rank     *measures.Ranking
	Staff    []staffRow
}

type staffRow struct {
	measures.StaffFigures
	Rank *measures.Ranking
}

// doneStates are the states of a work order whose bad review has had its rectification (or
// its explanation).
var doneStates = []rectify.State{rectify.Rectified, rectify.Explained, rectify.FedBack, rectify.Closed}

// showFigures is GET /console/figures, for the staff with a staff record (window staff and
// units' heads); the office reads the dashboard instead.
func (d Deps) showFigures(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u := session.UserOf(c)
	if u.StaffID == nil {
		return problem.NotFound("not_found", "此页面显示工作人员本人的数据；管理机构请查看数据看板。")
	}
	now := d.Rectify.Clock().In(bjtime.Location)
	from := bjtime.Date(now.Year(), now.Month(), 1)
	today := bjtime.Day(now)
	lastMonth := from.AddDate(0, -1, 0)
	v := figuresView{Month: from.Format("2006年1月"), Through: today.Format("1月2日"), RankMonth: lastMonth.Format("2006年1月")}

	mine, err := d.Measures.Staff(ctx, measures.StaffQuery{From: from, To: today, Staff: *u.StaffID})
	if err != nil {
		return err
	}
	counts, err := d.Rectify.Count(ctx, u, rectify.Filter{Mine: true, From: from, To: from.AddDate(0, 1, 0)})
	if err != nil {
		return err
	}
	me := &myFigures{Orders: *counts}
	if len(mine) == 1 {
		me.StaffFigures = mine[0]
	}
	for _, st := range doneStates {
		me.Done += counts.ByState[st]
	}
	me.Open = counts.Total - me.Done - counts.ByState[rectify.AppealUpheld]
	staffRanks, err := d.Measures.Rankings(ctx, measures.RankingQuery{Month: lastMonth, Kind: measures.RankStaff, Scope: u.Scope})
	if err != nil {
		return err
	}
	byStaff := map[int64]*measures.Ranking{}
	for i := range staffRanks {
		byStaff[staffRanks[i].SubjectID] = &staffRanks[i]
	}
	me.Rank = byStaff[*u.StaffID]
	v.Me, v.MyCards = me, me.cards()

	if u.HasRole(access.UnitHead) {
		if v.Unit, err = d.unitFigures(c, u, from, today, lastMonth, byStaff); err != nil {
			return err
		}
		if v.Unit != nil {
			v.UnitCards = v.Unit.cards()
		}
	}
	return d.Pages.Render(c, fiber.StatusOK, "console_figures", page.View{Title: "我的数据", Layout: "wide", Data: v})
}

// unitFigures are the figures of a head's unit (a department, or a hall for a hall's head):
// the measures of the month so far, its rank last month, and each of its staff.
func (d Deps) unitFigures(c *fiber.Ctx, u *access.User, from, to, lastMonth time.Time, byStaff map[int64]*measures.Ranking) (*unitFigures, error) {
	ctx := c.UserContext()
	q := measures.Query{From: from, To: to, Scope: u.Scope}
	sq := measures.StaffQuery{From: from, To: to}
	switch u.Scope.Kind {
	case access.ScopeDepartment:
		q.Department, sq.Department = u.Scope.ID, u.Scope.ID
	case access.ScopeHall:
		q.Hall, sq.Hall = u.Scope.ID, u.Scope.ID
	default:
		return nil, nil
	}
	over, err := d.Measures.Overview(ctx, q)
	if err != nil {
		return nil, err
	}
	uf := &unitFigures{Name: u.Scope.Name, Overview: over}
	if u.Scope.Kind == access.ScopeDepartment {
		ranks, err := d.Measures.Rankings(ctx, measures.RankingQuery{Month: lastMonth, Kind: measures.RankDepartment, Scope: u.Scope})
		if err != nil {
			return nil, err
		}
		for i := range ranks {
			if ranks[i].SubjectID == u.Scope.ID {
				uf.Rank = &ranks[i]
			}
		}
	}
	staff, err := d.Measures.Staff(ctx, sq)
	if err != nil {
		return nil, err
	}
	for _, s := range staff {
		uf.Staff = append(uf.Staff, staffRow{StaffFigures: s, Rank: byStaff[s.StaffID]})
	}
	return uf, nil
}

func (m *myFigures) cards() []figureCard {
	cs := []figureCard{
		{Key: "evaluations", Name: "收到评价", Value: strconv.Itoa(m.Evaluations), Detail: fmt.Sprintf("其中主动评价 %d 条", m.Active)},
		{Key: "good", Name: "好评", Value: strconv.Itoa(m.Good), Detail: "满意、非常满意"},
		{Key: "bad", Name: "差评", Value: strconv.Itoa(m.Bad), Detail: "不满意、非常不满意", Bad: m.Bad > 0},
		{Key: "satisfaction", Name: "满意度", Value: score(m.Evaluations, m.Satisfaction), Detail: "平均分，满分 10 分"},
		{Key: "rectified", Name: "差评已整改", Value: fmt.Sprintf("%d / %d", m.Done, m.Orders.Total),
			Detail: fmt.Sprintf("处理中 %d 件，逾期 %d 件", m.Open, m.Orders.Overdue), Bad: m.Orders.Overdue > 0},
	}
	return append(cs, rankCard(m.Rank))
}

func (u *unitFigures) cards() []figureCard {
	count := func(key string) string { return page.Thousands(int64(u.Overview[key].Numerator)) }
	ratio := func(key string) string {
		m := u.Overview[key]
		return page.Percent(int64(m.Numerator), int64(m.Denominator))
	}
	// A rate with its parts beside it: 71.3% and 713 / 1,000.
	parts := func(key string) string {
		m := u.Overview[key]
		return page.Thousands(int64(m.Numerator)) + " / " + page.Thousands(int64(m.Denominator))
	}
	cs := []figureCard{
		{Key: "unit-evaluations", Name: "收到评价", Value: count("total_evaluations"), Detail: "主动评价率 " + ratio("active_rate") + "（" + parts("active_rate") + "）"},
		{Key: "unit-bad", Name: "差评", Value: count("bad_rate"), Detail: "差评率 " + ratio("bad_rate") + "，申诉成立的不计"},
		{Key: "unit-realname", Name: "实名差评整改率", Value: ratio("realname_rectification_rate"), Detail: parts("realname_rectification_rate") + " · 目标 100%",
			Bad: u.Overview["realname_rectification_rate"].Met != nil && !*u.Overview["realname_rectification_rate"].Met},
		{Key: "unit-ontime", Name: "按时整改率", Value: ratio("ontime_rate"), Detail: parts("ontime_rate")},
	}
	if u.Rank != nil || len(u.Staff) == 0 {
		cs = append(cs, rankCard(u.Rank))
	}
	return cs
}

// rankCard is last month's place, or why there is none.
func rankCard(r *measures.Ranking) figureCard {
	if r == nil {
		return figureCard{Key: "rank", Name: "上月排名", Value: "—", Detail: "上月评价太少，未参加排名"}
	}
	c := figureCard{Key: "rank", Name: "上月排名", Value: fmt.Sprintf("第 %d 名", r.Rank),
		Detail: fmt.Sprintf("%s共 %d 名 · 满意度 %.2f", r.RegionName, r.OfTotal, r.Satisfaction)}
	switch {
	case r.Flagged:
		c.Detail, c.Bad = c.Detail+" · 连续两个月末位", true
	case r.Bottom:
		c.Detail, c.Bad = c.Detail+" · 末位", true
	}
	return c
}

// score is a mean score to two decimals, or a dash without ratings.
func score(n int, v float64) string {
	if n == 0 {
		return "—"
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}
